import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combineReloads, type FleetReload } from '../../gateway/server/combine-reloads.js';
import { workerRenews } from '../../gateway/server/fleet.js';
import type { WorkerAnswer } from '../../gateway/server/worker-supervisor.js';

/** A reload under workers: the workers' answers to the primary's broadcast, as one result. */

const DIFF = { routesAdded: ['new'], routesRemoved: [], routesChanged: [], sectionsChanged: ['routes'], restartNeeded: [] };
const applied = (worker: number): WorkerAnswer => ({ worker, pid: 100 + worker, outcome: 'answered', result: { ok: true, ...DIFF } });
const refused = (worker: number, error: string): WorkerAnswer => ({ worker, pid: 100 + worker, outcome: 'answered', result: { ok: false, errors: [error] } });
const silent = (worker: number): WorkerAnswer => ({ worker, pid: 100 + worker, outcome: 'no_answer' });
const threw = (worker: number): WorkerAnswer => ({ worker, pid: 100 + worker, outcome: 'failed', error: 'boom' });

const rows: { answers: WorkerAnswer[]; kind: FleetReload['kind']; errors?: string[]; outcomes: string[]; why: string }[] = [
  { answers: [applied(2), applied(1)], kind: 'applied', outcomes: ['applied', 'applied'], why: 'every worker applied it: 200, listed by worker id' },
  { answers: [refused(1, 'users file gone'), refused(2, 'users file gone')], kind: 'refused', errors: ['users file gone'], outcomes: ['refused', 'refused'], why: 'every worker refused it at build: 422, the same error once' },
  { answers: [refused(1, 'a'), threw(2)], kind: 'refused', errors: ['a', 'boom'], outcomes: ['refused', 'refused'], why: 'a worker whose reload threw kept its config too' },
  { answers: [applied(1), refused(2, 'bad pair')], kind: 'incomplete', outcomes: ['applied', 'refused'], why: 'one applied, one refused: the workers differ' },
  { answers: [applied(1), silent(2)], kind: 'incomplete', outcomes: ['applied', 'no_answer'], why: 'a worker that did not answer in time may or may not have applied it' },
  { answers: [silent(1), silent(2)], kind: 'incomplete', outcomes: ['no_answer', 'no_answer'], why: 'no answer at all is not a refusal: nobody said it kept its config' },
  { answers: [], kind: 'incomplete', outcomes: [], why: 'no worker listening to be asked (all restarting)' },
];
for (const row of rows) {
  test(`combineReloads: ${row.why}`, () => {
    const r = combineReloads(row.answers);
    assert.equal(r.kind, row.kind);
    assert.deepEqual(r.workers.map((w) => w.outcome), row.outcomes);
    assert.deepEqual(r.workers.map((w) => w.worker), [...r.workers.map((w) => w.worker)].sort((a, b) => a - b));
    if (r.kind === 'applied') assert.deepEqual(r.reloaded, DIFF);
    if (r.kind === 'refused') assert.deepEqual(r.errors, row.errors);
  });
}

test('workerRenews: each worker\'s answer to "renew now", by worker id', () => {
  const serving = { serial: 'AB', notAfter: '2030-01-01T00:00:00.000Z' };
  assert.deepEqual(workerRenews([
    { worker: 3, pid: 3, outcome: 'answered', result: { started: false } },
    { worker: 1, pid: 1, outcome: 'answered', result: { started: true, serving } },
    { worker: 2, pid: 2, outcome: 'no_answer' },
  ]), [
    { worker: 1, pid: 1, outcome: 'started', serving },
    { worker: 2, pid: 2, outcome: 'no_answer' },
    { worker: 3, pid: 3, outcome: 'running' },
  ]);
});

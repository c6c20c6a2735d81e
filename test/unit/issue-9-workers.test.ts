import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { errorsOf, VALID } from './config-fixture.js';

/** `workers: N | auto`: how many processes serve; more than one needs the shared (Redis) store. */

const REDIS = 'store:\n  redis: { url: "redis://127.0.0.1:6379" }\n';

const accepted: { yaml: string; workers: number; why: string }[] = [
  { yaml: '', workers: 1, why: 'absent: one process, no cluster' },
  { yaml: 'workers: 1\n', workers: 1, why: 'one process needs no shared store' },
  { yaml: `workers: 4\n${REDIS}`, workers: 4, why: 'several processes on Redis' },
  { yaml: `workers: auto\n${REDIS}`, workers: availableParallelism(), why: 'auto is one per core' },
];
for (const row of accepted) {
  test(`workers accepted: ${row.why}`, () => {
    assert.equal(parseConfigText(VALID + row.yaml, 'gw.yaml', {}).workers, row.workers);
  });
}

const refused: { yaml: string; error: RegExp; why: string }[] = [
  { yaml: 'workers: 2\n', error: /workers.*needs a shared store \(store\.redis\)/, why: 'several processes with the memory store' },
  { yaml: 'workers: 2\nstore:\n  redis: { url: "" }\n', error: /needs a shared store/, why: 'an empty Redis URL is the memory store' },
  { yaml: 'workers: 0\n', error: /workers.*1 or more/, why: 'zero processes' },
  { yaml: `workers: 1.5\n${REDIS}`, error: /workers.*whole number/, why: 'a fraction' },
  { yaml: `workers: many\n${REDIS}`, error: /workers.*"auto"/, why: 'a word other than auto' },
];
for (const row of refused) {
  test(`workers refused: ${row.why}`, () => {
    const errors = errorsOf(VALID + row.yaml);
    assert.ok(errors.some((e) => row.error.test(e)), errors.join('\n'));
  });
}

// Only meaningful on a machine with more than one core, where auto means several processes.
test('workers refused: auto with the memory store when auto means more than one', () => {
  const errors = availableParallelism() > 1 ? errorsOf(`${VALID}workers: auto\n`) : [];
  assert.equal(errors.some((e) => /needs a shared store/.test(e)), availableParallelism() > 1);
});

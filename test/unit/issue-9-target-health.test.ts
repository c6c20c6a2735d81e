import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TargetHealth, type TargetState } from '../../gateway/upstream/target-health.js';

const PASSIVE = { failures: 3, ejectFor: 1000, maxEjectFor: 3000 };
const ACTIVE = { healthy: 2, unhealthy: 2 };

type Step = ['req', boolean, number] | ['check', boolean, number] | ['state', number, TargetState];

const rows: { description: string; passive: typeof PASSIVE | null; active: typeof ACTIVE | null; steps: Step[] }[] = [
  {
    description: 'fewer failures in a row than the threshold keep it up; a success resets the count',
    passive: PASSIVE, active: null,
    steps: [['req', true, 0], ['req', true, 0], ['req', false, 0], ['req', true, 0], ['req', true, 0], ['state', 0, 'up']],
  },
  {
    description: 'N failures in a row eject it for ejectFor, then it is up again',
    passive: PASSIVE, active: null,
    steps: [['req', true, 0], ['req', true, 0], ['req', true, 10], ['state', 10, 'ejected'], ['state', 1009, 'ejected'], ['state', 1010, 'up']],
  },
  {
    description: 'half-open after an ejection: one more failure ejects again, for twice as long',
    passive: PASSIVE, active: null,
    steps: [['req', true, 0], ['req', true, 0], ['req', true, 0], ['req', true, 1000], ['state', 2999, 'ejected'], ['state', 3000, 'up']],
  },
  {
    description: 'the doubling stops at maxEjectFor',
    passive: PASSIVE, active: null,
    steps: [['req', true, 0], ['req', true, 0], ['req', true, 0], ['req', true, 1000], ['req', true, 3000], ['state', 5999, 'ejected'], ['state', 6000, 'up'], ['req', true, 6000], ['state', 8999, 'ejected'], ['state', 9000, 'up']],
  },
  {
    description: 'failures reported during an ejection (requests sent before it) do not lengthen it',
    passive: PASSIVE, active: null,
    steps: [['req', true, 0], ['req', true, 0], ['req', true, 0], ['req', true, 500], ['req', true, 900], ['state', 1000, 'up']],
  },
  {
    description: 'a success after an ejection resets the backoff',
    passive: PASSIVE, active: null,
    steps: [['req', true, 0], ['req', true, 0], ['req', true, 0], ['req', false, 1000], ['req', true, 1000], ['req', true, 1000], ['req', true, 1000], ['state', 1999, 'ejected'], ['state', 2000, 'up']],
  },
  {
    description: 'without a passive rule, failures never eject',
    passive: null, active: null,
    steps: [['req', true, 0], ['req', true, 0], ['req', true, 0], ['req', true, 0], ['req', true, 0], ['req', true, 0], ['state', 0, 'up']],
  },
  {
    description: 'the active check takes it down after `unhealthy` failed checks and back after `healthy` passed ones',
    passive: null, active: ACTIVE,
    steps: [['check', false, 0], ['state', 0, 'up'], ['check', false, 0], ['state', 0, 'down'], ['check', true, 0], ['state', 0, 'down'], ['check', true, 0], ['state', 0, 'up']],
  },
  {
    description: 'passing checks end a passive ejection early',
    passive: PASSIVE, active: ACTIVE,
    steps: [['req', true, 0], ['req', true, 0], ['req', true, 0], ['check', true, 100], ['state', 100, 'ejected'], ['check', true, 200], ['state', 200, 'up']],
  },
  {
    description: 'an interrupted run of passing checks counts again from zero',
    passive: null, active: ACTIVE,
    steps: [['check', false, 0], ['check', false, 0], ['check', true, 0], ['check', false, 0], ['check', true, 0], ['state', 0, 'down'], ['check', true, 0], ['state', 0, 'up']],
  },
];

for (const row of rows) {
  test(`target health: ${row.description}`, () => {
    const h = new TargetHealth(row.passive, row.active);
    row.steps.forEach((step, i) => {
      if (step[0] === 'req') h.recordRequest(step[1], step[2]);
      else if (step[0] === 'check') h.recordCheck(step[1], step[2]);
      else assert.equal(h.state(step[1]), step[2], `step ${i}: state at ${step[1]}`);
    });
  });
}

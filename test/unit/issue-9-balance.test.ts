import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UpstreamConfig } from '../../gateway/config/schema/upstream.js';
import { createUpstreamClient, type TargetLease, type UpstreamClient } from '../../gateway/upstream/upstream-client.js';

// Pools connect on their first request only: picking targets here opens no socket.
const base: UpstreamConfig = {
  name: 't', targets: ['http://127.0.0.1:1', 'http://127.0.0.1:2', 'http://127.0.0.1:3'], balance: 'round-robin',
  connections: 1, connectTimeout: 1000, headersTimeout: 1000, bodyTimeout: 1000, keepAliveTimeout: 1000,
  preserveHost: false, retryIdempotent: true, healthPath: '/health', healthCheck: null, passive: { failures: 1, ejectFor: 1000, maxEjectFor: 1000 },
};

/** Steps on one client: take a target (expecting its index, or null for none), or finish a taken lease. */
type Step = { take: number | null; except?: number; keep?: boolean } | { finish: number; failed: boolean };

const rows: { description: string; balance: UpstreamConfig['balance']; steps: Step[] }[] = [
  {
    description: 'round-robin takes the targets in turn',
    balance: 'round-robin',
    steps: [{ take: 0 }, { take: 1 }, { take: 2 }, { take: 0 }],
  },
  {
    description: 'round-robin skips an ejected target',
    balance: 'round-robin',
    steps: [{ take: 0, keep: true }, { finish: 0, failed: true }, { take: 1 }, { take: 2 }, { take: 1 }],
  },
  {
    description: 'a retry takes another target than the one that failed',
    balance: 'round-robin',
    steps: [{ take: 0 }, { take: 2, except: 1 }, { take: 1, except: 0 }],
  },
  {
    description: 'every target ejected: none to take',
    balance: 'round-robin',
    steps: [
      { take: 0, keep: true }, { take: 1, keep: true }, { take: 2, keep: true },
      { finish: 0, failed: true }, { finish: 1, failed: true }, { finish: 2, failed: true }, { take: null },
    ],
  },
  {
    description: 'the only target left, excluded: none to take',
    balance: 'round-robin',
    steps: [{ take: 0, keep: true }, { take: 1, keep: true }, { finish: 0, failed: true }, { finish: 1, failed: true }, { take: null, except: 2 }],
  },
  {
    description: 'least-busy takes the target with the fewest requests in flight',
    balance: 'least-busy',
    steps: [{ take: 0, keep: true }, { take: 1, keep: true }, { take: 2, keep: true }, { take: 0, keep: true }, { finish: 1, failed: false }, { take: 1 }],
  },
];

for (const row of rows) {
  test(`balance: ${row.description}`, () => {
    const client: UpstreamClient = createUpstreamClient({ ...base, balance: row.balance }, () => 0);
    const held: TargetLease[] = [];
    try {
      row.steps.forEach((step, i) => {
        if ('finish' in step) {
          const at = held.findIndex((l) => l.target === client.targets[step.finish]);
          held.splice(at, 1)[0]!.done(step.failed);
          return;
        }
        const lease = client.acquire(step.except === undefined ? undefined : client.targets[step.except]);
        assert.equal(lease === null ? null : client.targets.indexOf(lease.target), step.take, `step ${i}`);
        if (lease !== null && step.keep) held.push(lease);
        else lease?.done(false);
      });
    } finally {
      void client.close();
    }
  });
}

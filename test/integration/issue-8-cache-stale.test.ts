import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

const CONFIG = BASE_CONFIG.replace('  - id: dashboard\n', `  - id: overview
    auth: none
    path: /api/dashboard/overview
    methods: [GET]
    cache: { ttl: 1s, staleIfError: 1m }
  - id: dashboard
`) + `  - id: cached
    auth: none
    prefix: /__mock/respond
    methods: [GET]
    cache: { ttl: 3s, staleWhileRevalidate: 1m }
`;

describe('issue 8: coalescing, stale-while-revalidate and stale-if-error (memory store)', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  it('sends 100 concurrent misses for one key to the backend once', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, () => gw.request('/__mock/respond/burst?delay=300&body=%22burst%22')));
    assert.ok(answers.every((a) => a.status === 200 && a.text === '"burst"'));
    assert.equal(await mock.count('GET /__mock/respond/burst'), 1);
    assert.equal(answers.filter((a) => a.headers['x-cache'] === 'MISS').length, 100);
    assert.equal(answers.filter((a) => String(a.headers['cache-status']).includes('collapsed')).length, 99);
  });

  it('serves a stale entry at once within stale-while-revalidate and refreshes it once', async () => {
    await gw.request('/__mock/respond/swr?delay=400');
    await waitUntil(async () => (await gw.request('/__mock/respond/swr?delay=400')).headers['x-cache'] === 'STALE', 'the entry to go stale', 10_000);
    const during = await Promise.all(Array.from({ length: 20 }, () => gw.request('/__mock/respond/swr?delay=400')));
    assert.ok(during.every((a) => a.status === 200 && (a.headers['x-cache'] === 'STALE' || a.headers['x-cache'] === 'HIT')));
    await waitUntil(async () => (await gw.request('/__mock/respond/swr?delay=400')).headers['x-cache'] === 'HIT', 'the refreshed entry');
    assert.equal(await mock.count('GET /__mock/respond/swr'), 2, 'one fill, one background refresh');
  });

  it('serves a stale entry when the backend answers 503, times out, or is down', async () => {
    const fresh = await gw.request('/api/dashboard/overview');
    assert.equal(fresh.headers['x-cache'], 'MISS');
    await sleep(1100); // past the 1 s ttl
    await mock.arm({ kind: 'status', path: '/api/dashboard/overview', status: 503, times: 1 });
    const on503 = await gw.request('/api/dashboard/overview');
    assert.equal(on503.status, 200);
    assert.equal(on503.headers['x-cache'], 'STALE');
    assert.match(String(on503.headers['cache-status']), /fwd=stale; ttl=-\d+; detail=fwd-status-503/);
    assert.equal(on503.text, fresh.text);

    await mock.arm({ kind: 'delay', path: '/api/dashboard/overview', ms: 3000, times: 1 });
    const onTimeout = await gw.request('/api/dashboard/overview');
    assert.equal(onTimeout.headers['x-cache'], 'STALE');
    assert.match(String(onTimeout.headers['cache-status']), /detail=upstream\.timeout/);

    await mock.stop();
    const down = await gw.request('/api/dashboard/overview');
    assert.equal(down.status, 200);
    assert.equal(down.headers['x-cache'], 'STALE');
    assert.match(String(down.headers['cache-status']), /detail=upstream\.unavailable/);
    // Not cached at all: the backend's absence is the client's error, as before.
    const uncached = await gw.request('/api/dashboard/risk');
    assert.equal(uncached.status, 502);
  });
});

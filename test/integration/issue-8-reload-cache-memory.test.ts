import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

/**
 * Review 2 finding 5: the store makes its cache backend once, with cache.maxMemory and
 * cache.redisMemoryShare, for the first config that caches; a reload cannot change them. It
 * must say a restart is needed rather than log a reload that silently kept the old values.
 */
const CACHED_ROUTE = '  - id: cached\n    auth: none\n    prefix: /__mock/respond\n    methods: [GET]\n    cache: { ttl: 1m }\n';
const withCache = (section: string, routes = CACHED_ROUTE) => `${BASE_CONFIG}${routes}cache:\n${section}`;

type Step = { why: string; config: string; restart: string[] | undefined };

/** A gateway started with `initial`, then reloaded once per step, in order. */
function reloads(initial: string, steps: Step[]): void {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: initial })));
  after(() => stopAll(gw, mock));
  for (const s of steps) {
    it(s.why, async () => {
      gw.writeConfig(s.config);
      const reloaded = await gw.reload();
      assert.equal(reloaded.msg, 'config reloaded');
      assert.deepEqual(reloaded.restart_needed_for, s.restart);
    });
  }
}

describe('issue 8: a reload that changes the cache store\'s bounds says they need a restart', () => {
  reloads(withCache('  redisMemoryShare: 0.5\n'), [
    { why: 'redisMemoryShare changed', config: withCache('  redisMemoryShare: 0.3\n'), restart: ['cache.redisMemoryShare'] },
    { why: 'maxMemory changed too: both still differ from what the store was made with', config: withCache('  redisMemoryShare: 0.3\n  maxMemory: 128mb\n'), restart: ['cache.maxMemory', 'cache.redisMemoryShare'] },
    { why: 'both back to the values the store has: nothing to restart for', config: withCache('  redisMemoryShare: 0.5\n'), restart: undefined },
    { why: 'only maxTtl changed: applied by the reload', config: withCache('  redisMemoryShare: 0.5\n  maxTtl: 1h\n'), restart: undefined },
  ]);
});

describe('issue 8: the store\'s cache bounds are those of the first config that caches', () => {
  reloads(withCache('  redisMemoryShare: 0.5\n', ''), [
    { why: 'a share changed while no route caches: nothing was made with it yet', config: withCache('  redisMemoryShare: 0.4\n', ''), restart: undefined },
    { why: 'the first cached route: the store is made with this reload\'s bounds', config: withCache('  redisMemoryShare: 0.3\n'), restart: undefined },
    { why: 'a later change of the share needs a restart', config: withCache('  redisMemoryShare: 0.2\n'), restart: ['cache.redisMemoryShare'] },
  ]);
});

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BASE_CONFIG, startGateway, type GatewayHandle } from '../helpers/gateway.js';
import { gatewayCli } from '../helpers/gateway-cli.js';
import { startRedisCluster, type RedisClusterHandle } from '../helpers/redis-cluster.js';
import { startRedisSentinel, SENTINEL_NAME, type RedisSentinelHandle } from '../helpers/redis-sentinel.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Issue 9 review: a wrong or missing Redis password read like an unreachable Redis ("Connection
 * is closed.", "None of startup nodes is available", "not reachable or not answering"). The
 * gateway's store line and the CLI must say authentication was refused, and what to check,
 * without the password or the URL.
 */

const WRONG = 'wrong-redis-pw-4711';
const RIGHT = 'the-right-redis-pw-0815';

/** The gateway's store log lines at start: the one about the refusal, and all of them as text. */
async function startLines(mock: MockHandle, store: string): Promise<{ refused: Record<string, unknown> | undefined; text: string }> {
  let gw: GatewayHandle | undefined;
  try {
    gw = await startGateway({ upstreamUrl: mock.url, config: `${BASE_CONFIG}${store}` });
    const logs = gw.logs();
    return { refused: logs.find((l) => l.reason === 'auth_refused'), text: logs.map((l) => JSON.stringify(l)).join('\n') + gw.service.stderr.join('\n') };
  } finally {
    await gw?.stop();
  }
}

function cliConfig(store: string): string {
  const file = join(tempDir('gw-auth-refused-'), 'gateway.yaml');
  writeFileSync(file, `listeners:
  https: { host: 127.0.0.1, port: 0 }
tls: { mode: self-signed }
upstream: { url: "http://127.0.0.1:9" }
routes:
  - { id: a, path: /a, auth: required }
auth:
  jwt: { secret: "${'j'.repeat(40)}" }
  users: { source: store }
  apiKeys: { source: store, secret: "${'k'.repeat(40)}" }
${store}`);
  return file;
}

describe('issue 9: a Redis that refuses the credentials says so', () => {
  let redis: RedisHandle;
  let mock: MockHandle;
  before(async () => {
    redis = await startRedis(undefined, { password: RIGHT });
    mock = await startMock();
  });
  after(async () => {
    await mock?.stop();
    await redis?.stop();
  });

  for (const [what, url] of [['a wrong password', () => `redis://:${WRONG}@127.0.0.1:${redis.port}`], ['no password', () => `redis://127.0.0.1:${redis.port}`]] as const) {
    test(`one Redis, ${what}: the start line says authentication was refused`, async () => {
      const { refused, text } = await startLines(mock, `store:\n  redis: { url: "${url()}" }\n`);
      assert.ok(refused, text);
      assert.equal(refused.refusedBy, 'data');
      assert.match(String(refused.msg), /^store refused authentication at start: Redis refused authentication .*check store\.redis password\/username/);
      assert.doesNotMatch(text, /store not reachable at start/);
      assert.ok(!text.includes(WRONG) && !text.includes(RIGHT) && !text.includes(`:${redis.port}`), 'no password, no URL');
    });
  }

  test('the CLI: refused authentication, exit 1, neither password nor URL', async () => {
    const file = cliConfig(`store:\n  redis: { url: "redis://:${WRONG}@127.0.0.1:${redis.port}" }\n`);
    for (const args of [['users', 'list'], ['keys', 'list']]) {
      const out = await gatewayCli([...args, '--config', file]);
      assert.equal(out.code, 1, out.stderr);
      assert.match(out.stderr, /^gateway (users|keys): the shared store \(store\.redis\) refused authentication, so the command did not complete: Redis refused authentication \(wrong or missing password, or an unknown or disabled ACL user\): check store\.redis password\/username or the credentials in its url\n$/);
      assert.ok(!out.stderr.includes(WRONG) && !out.stderr.includes(String(redis.port)), 'no password, no URL');
    }
    // The right password still works: the message above is about the credentials only.
    const ok = await gatewayCli(['keys', 'list', '--config', cliConfig(`store:\n  redis: { url: "redis://:${RIGHT}@127.0.0.1:${redis.port}" }\n`)]);
    assert.equal(ok.code, 0, ok.stderr);
  });
});

describe('issue 9: Sentinel and Cluster refusing the credentials', () => {
  let sentinel: RedisSentinelHandle;
  let cluster: RedisClusterHandle;
  let mock: MockHandle;
  before(async () => {
    mock = await startMock();
    sentinel = await startRedisSentinel({ password: RIGHT, sentinelPassword: 'sentinel-pw-right' });
    cluster = await startRedisCluster({ password: RIGHT });
  });
  after(async () => {
    await mock?.stop();
    await sentinel?.stop();
    await cluster?.stop();
  });

  const sentinelStore = (password: string, sentinelPassword: string) => `store:
  redis:
    sentinels: [{ host: 127.0.0.1, port: ${sentinel.sentinelPort} }]
    name: ${SENTINEL_NAME}
    password: "${password}"
    sentinelPassword: "${sentinelPassword}"
    connectTimeout: 500ms
`;

  test('a wrong sentinelPassword: the start line and the CLI name sentinelPassword (and start does not hang)', async () => {
    const { refused, text } = await startLines(mock, sentinelStore(RIGHT, WRONG));
    assert.ok(refused, text);
    assert.equal(refused.refusedBy, 'sentinel');
    assert.match(String(refused.msg), /a Redis Sentinel refused authentication: check store\.redis\.sentinelPassword/);
    assert.ok(!text.includes(WRONG), 'no password');
    const out = await gatewayCli(['users', 'list', '--config', cliConfig(sentinelStore(RIGHT, WRONG))]);
    assert.equal(out.code, 1, out.stderr);
    assert.match(out.stderr, /^gateway users: the shared store \(store\.redis\) refused authentication, so the command did not complete: a Redis Sentinel refused authentication: check store\.redis\.sentinelPassword\n$/);
  });

  test('a wrong data-node password behind a sentinel: the data node is named', async () => {
    const { refused, text } = await startLines(mock, sentinelStore(WRONG, 'sentinel-pw-right'));
    assert.ok(refused, text);
    assert.equal(refused.refusedBy, 'data');
  });

  test('a Cluster with a wrong password: refused, not "None of startup nodes is available"', async () => {
    const nodes = cluster.nodes.map((n) => `{ host: 127.0.0.1, port: ${n.port} }`).join(', ');
    const { refused, text } = await startLines(mock, `store:\n  redis:\n    cluster: [${nodes}]\n    password: "${WRONG}"\n`);
    assert.ok(refused, text);
    assert.equal(refused.refusedBy, 'data');
    assert.doesNotMatch(text, /None of startup nodes/);
    assert.ok(!text.includes(WRONG), 'no password');
  });
});

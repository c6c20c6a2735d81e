import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { newApiKey, writeKeysFile } from '../../gateway/auth/api-keys.js';
import { adminRequest } from '../helpers/admin-client.js';
import { API_KEY_SECRET, JWT_SECRET } from '../helpers/auth-fixture.js';
import { startGateway, type GatewayHandle } from '../helpers/gateway.js';
import { matching, parseSamples, promtoolCheck } from '../helpers/prometheus-text.js';
import { removeTempDir, tempDir } from '../helpers/temp-dir.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';

/**
 * Issue 9, metrics: the upstream pool gauges per named upstream and per target, the target
 * named by its position in `targets` (as /readyz does): bounded by the config, no address shown.
 */
let a: MockHandle;
let b: MockHandle;
let gw: GatewayHandle;
let dir: string;
let adminKey: string;

before(async () => {
  [a, b] = await Promise.all([startMock(), startMock()]);
  dir = tempDir('pool-labels-');
  const keysFile = join(dir, 'keys.json');
  const ops = newApiKey(API_KEY_SECRET, 'ops', ['admin'], undefined);
  writeKeysFile(keysFile, [ops.record]);
  adminKey = ops.key;
  gw = await startGateway({
    upstreamUrl: a.url,
    config: `
listeners:
  https: { host: 127.0.0.1, port: 0 }
  admin: { port: 0 }
tls:
  mode: self-signed
upstreams:
  default:
    targets: [${a.url}, ${b.url}]
    connections: 8
  market-data:
    targets: [${b.url}]
    connections: 3
routes:
  - id: respond
    auth: none
    prefix: /__mock/respond
    methods: [GET]
  - id: market
    auth: none
    path: /api/market/prices
    methods: [GET]
    upstream: market-data
auth:
  jwt: { secret: "${JWT_SECRET}", accessTtl: 5m, refreshTtl: 1h }
  apiKeys: { file: "${keysFile}", secret: "${API_KEY_SECRET}" }
`,
  });
});
after(async () => {
  try {
    await gw?.stop();
  } finally {
    await Promise.all([a?.stop(), b?.stop()]);
    removeTempDir(dir);
  }
});

test('issue 9: gateway_upstream_* gauges carry upstream and target; every target of every upstream has its series', async () => {
  for (let i = 0; i < 4; i++) assert.equal((await gw.request(`/__mock/respond/pool-${i}?status=200`)).status, 200);
  // Round-robin over the default upstream's two targets: each got half, so both pools were used.
  assert.equal((await a.counters())['GET /__mock/respond/pool-0'] ?? 0, 1);
  assert.equal((await b.counters())['GET /__mock/respond/pool-1'] ?? 0, 1);
  const res = await adminRequest(gw, '/metrics', { headers: { 'X-API-Key': adminKey } });
  assert.equal(res.status, 200, res.text);
  const samples = parseSamples(res.text);
  const labelled = (name: string) => matching(samples, name).map((s) => ({ ...s.labels, value: s.value }));
  assert.deepEqual(labelled('gateway_upstream_connection_limit'), [
    { upstream: 'default', target: '0', value: 8 },
    { upstream: 'default', target: '1', value: 8 },
    { upstream: 'market-data', target: '0', value: 3 },
  ]);
  assert.deepEqual(matching(samples, 'gateway_upstream_connections').map((s) => `${s.labels.upstream}/${s.labels.target}`), ['default/0', 'default/1', 'market-data/0']);
  assert.deepEqual(matching(samples, 'gateway_upstream_requests', { state: 'running' }).map((s) => `${s.labels.upstream}/${s.labels.target}=${s.value}`), ['default/0=0', 'default/1=0', 'market-data/0=0']);
  assert.ok(!res.text.includes(`127.0.0.1:${a.port}`) && !res.text.includes(`127.0.0.1:${b.port}`), 'no backend address in a label');
  const check = promtoolCheck(res.text);
  assert.equal(check.code, 0, check.output);
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { authConfig, bearer, makeAuthFiles, tokensFor, type AuthFiles } from '../helpers/auth-fixture.js';
import { freePort } from '../helpers/free-port.js';
import { BASE_CONFIG, startGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';

/**
 * Issue 7: WebSocket handshakes went around the pipeline (their own copy of it, without the
 * per-address budget, the route's rate limit or the trusted-proxy client address). They now
 * take the route's chain, built from the same stages as a request's.
 */

interface Answer { status: number; headers: Record<string, string | string[] | undefined> }

/** Opens a WebSocket and closes it at once; resolves with the handshake's status (101 when upgraded). */
function handshake(gw: GatewayHandle, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${gw.httpsPort}${path}`, { ca: gw.ca, servername: 'localhost', headers } as WebSocket.ClientOptions);
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, headers: {} });
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode!, headers: res.headers });
      res.resume();
    });
    ws.once('error', reject);
  });
}

async function statuses(n: number, open: () => Promise<Answer>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await open()).status);
  return out;
}

const WS_POLICY = '    ws:\n      limits:\n        - { name: ws, points: 2, duration: 1m }\n';
const withWsPolicy = (c: string) => c.replace('  - id: prices-ws\n', '  - id: prices-ws\n    rateLimit: ws\n');

/** A gateway (with users and keys) over a fresh mock for one suite; `config` gets the auth files. */
function suiteGateway(config: (files: AuthFiles) => string, upstream?: () => Promise<string>): { mock?: MockHandle; gw: GatewayHandle } {
  const s = {} as { mock?: MockHandle; gw: GatewayHandle };
  before(async () => {
    const files = await makeAuthFiles();
    if (!upstream) s.mock = await startMock();
    s.gw = await startGateway({ upstreamUrl: upstream ? await upstream() : s.mock!.url, config: config(files) });
  });
  after(() => stopAll(s.gw, s.mock));
  return s;
}

describe('issue 7: the per-address budget counts WebSocket handshakes', () => {
  const s = suiteGateway((files) => `${authConfig(files)}rateLimits:\n  unauthenticated: { points: 2, duration: 1m }\n`);

  test('five handshakes with a made-up token get 401, 401, 429, 429, 429, as five requests do', async () => {
    const got = await statuses(5, () => handshake(s.gw, '/ws/prices', bearer('made.up.token')));
    assert.deepEqual(got, [401, 401, 429, 429, 429]);
    assert.equal(await s.mock!.count('WS /ws/prices'), 0);
    const request = await s.gw.request('/api/portfolio', { headers: bearer('made.up.token') });
    assert.equal(request.status, 429, 'handshakes and requests draw on one budget per address');
  });
});

describe('issue 7: a route\'s rate-limit policy counts WebSocket handshakes', () => {
  const s = suiteGateway((files) => `${withWsPolicy(authConfig(files))}rateLimits:\n  policies:\n${WS_POLICY}`);

  test('over the policy a handshake gets 429 quota-exceeded with Retry-After and RateLimit headers', async () => {
    const { gw } = s;
    const { access_token } = await tokensFor(gw, 'alice');
    const answers: Answer[] = [];
    for (let i = 0; i < 3; i++) answers.push(await handshake(gw, `/ws/prices?access_token=${access_token}`));
    assert.deepEqual(answers.map((a) => a.status), [101, 101, 429]);
    const refused = answers[2]!;
    assert.equal(refused.headers['content-type'], 'application/problem+json');
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.equal(refused.headers['ratelimit-policy'], '"ws";q=2;w=60');
    assert.match(String(refused.headers['strict-transport-security']), /max-age/);
    // Another user has a budget of their own: the policy keys on the verified caller.
    const bob = await tokensFor(gw, 'bob');
    assert.equal((await handshake(gw, '/ws/prices', bearer(bob.access_token))).status, 101);
  });
});

describe('issue 7: behind a trusted proxy a handshake\'s client is the forwarded address', () => {
  const byIp = 'rateLimits:\n  policies:\n    ws:\n      limits:\n        - { name: ws, points: 2, duration: 1m, key: [ip] }\n';
  const s = suiteGateway(() => `${withWsPolicy(BASE_CONFIG).replace('tls:', 'trustedProxies: [127.0.0.1/32]\ntls:')}${byIp}`);

  test('the rate-limit key and the logged client_ip are the X-Forwarded-For address', async () => {
    const from = (ip: string) => () => handshake(s.gw, '/ws/prices', { 'X-Forwarded-For': ip });
    assert.deepEqual(await statuses(3, from('198.51.100.7')), [101, 101, 429]);
    assert.equal((await from('198.51.100.8')()).status, 101, 'another client behind the same proxy has its own budget');
    const lines = await accessLines(s.gw, 4, (l) => l.path === '/ws/prices');
    assert.deepEqual(lines.map((l) => l.client_ip).sort(), ['198.51.100.7', '198.51.100.7', '198.51.100.7', '198.51.100.8']);
  });

  test('a handshake\'s access-log line has the fields a request\'s has (and says it was an upgrade)', async () => {
    const { gw } = s;
    const before = gw.logs().length;
    assert.equal((await gw.request('/health', { headers: { 'X-Forwarded-For': '198.51.100.20' } })).status, 200);
    assert.equal((await handshake(gw, '/ws/prices?access_token=secret-in-url', { 'X-Forwarded-For': '198.51.100.21' })).status, 101);
    const [request] = await accessLines(gw, 1, (l) => l.path === '/health', before);
    const [upgrade] = await accessLines(gw, 1, (l) => l.path === '/ws/prices', before);
    const { upgrade: marker, ...upgradeFields } = upgrade!;
    assert.equal(marker, 'websocket');
    assert.equal(upgradeFields.status, 101);
    assert.equal(upgradeFields.method, 'GET');
    assert.equal(upgradeFields.route, 'prices-ws');
    assert.equal(typeof upgradeFields.upstream_ms, 'number');
    assert.ok((upgradeFields.bytes as number) > 0);
    assert.equal(upgradeFields.query_keys, undefined, 'access_token is out of the query before it is logged');
    assert.deepEqual(Object.keys(upgradeFields).sort(), Object.keys(request!).sort());
    assert.ok(!JSON.stringify(gw.logs()).includes('secret-in-url'));
  });
});

describe('issue 7: a handshake the backend cannot take is answered by the one error writer', () => {
  // Nothing listens on this port: the backend is down.
  const s = suiteGateway(() => BASE_CONFIG, async () => `http://127.0.0.1:${await freePort()}`);

  test('502 problem+json on the socket, logged with its reason', async () => {
    const answer = await handshake(s.gw, '/ws/prices', { 'X-Request-Id': 'issue-7-backend-down' });
    assert.equal(answer.status, 502);
    assert.equal(answer.headers['content-type'], 'application/problem+json');
    assert.equal(answer.headers['x-request-id'], 'issue-7-backend-down');
    const [line] = await accessLines(s.gw, 1, (l) => l.request_id === 'issue-7-backend-down');
    assert.equal(line!.status, 502);
    assert.equal(line!.reason, 'upstream.unavailable');
  });
});

/** Waits for `n` access-log lines matching `test` (a handshake's is written when its socket closes). */
async function accessLines(gw: GatewayHandle, n: number, test: (l: Record<string, unknown>) => boolean, from = 0): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 50; i++) {
    const lines = gw.logs().slice(from).filter((l) => l.kind === 'access' && test(l));
    if (lines.length >= n) return lines;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fewer than ${n} access lines`);
}

import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { authConfig, bearer, login, makeAuthFiles, PASSWORDS, tokensFor, type AuthFiles } from '../helpers/auth-fixture.js';
import { startGateway, startPairOnRedis, stopAll, stopPair, type ClientResponse, type GatewayHandle, type SharedPair } from '../helpers/gateway.js';
import { startRedis } from '../helpers/redis-server.js';
import { startMock, type MockHandle } from '../helpers/upstream-mock.js';

/** RateLimit: "burst";r=19;t=1, "sustained";r=99;t=60  →  { burst: { r: 19, t: 1 }, ... } */
function parseItems(value: string | string[] | undefined): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const item of String(value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, ...params] = item.split(';');
    out[JSON.parse(name!) as string] = Object.fromEntries(params.map((p) => { const [k, v] = p.split('='); return [k!, Number(v)]; }));
  }
  return out;
}

const LIMITS = `rateLimits:
  default: standard
  unauthenticated: { points: 400, duration: 1m }
  policies:
    standard:
      limits:
        - { name: burst, points: 5, duration: 2s }
        - { name: sustained, points: 8, duration: 1m }
      overrides:
        roles: { admin: 3 }
        apiKeys: { trading-bot: 2 }
    shared:
      limits:
        - { name: group, points: 4, duration: 1m }
    blocking:
      limits:
        - { name: strict, points: 2, duration: 1s, block: 3s }
    by-ip:
      limits:
        - { name: per-ip, points: 3, duration: 1m, key: [ip] }
    exact:
      limits:
        - { name: exact, points: 50, duration: 1m }
`;

function config(files: AuthFiles, extra: { store?: string; trusted?: boolean } = {}): string {
  let c = authConfig(files, { store: extra.store })
    .replace('  - id: health\n    auth: none\n', '  - id: health\n    auth: none\n    rateLimit: none\n')
    .replace('  - id: risk-viewers\n', '  - id: risk-viewers\n    rateLimit: shared\n')
    .replace('  - id: overview-jwt-only\n', '  - id: overview-jwt-only\n    rateLimit: shared\n')
    .replace('  - id: trading-forward\n', '  - id: trading-forward\n    rateLimit: blocking\n')
    .replace('  - id: echo\n', '  - id: echo\n    rateLimit: exact\n')
    .replace('  - id: docs\n', '  - id: docs\n    rateLimit: by-ip\n');
  if (extra.trusted) c = c.replace('tls:', 'trustedProxies: [127.0.0.1/32]\ntls:');
  return `${c}${LIMITS}`;
}

async function burst(gw: GatewayHandle, n: number, path: string, headers: Record<string, string> = {}): Promise<ClientResponse[]> {
  const out: ClientResponse[] = [];
  for (let i = 0; i < n; i++) out.push(await gw.request(path, { headers }));
  return out;
}
const statuses = (rs: ClientResponse[]) => rs.map((r) => r.status);

describe('rate limits (memory store)', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  let files: AuthFiles;
  before(async () => {
    files = await makeAuthFiles();
    mock = await startMock();
    gw = await startGateway({ upstreamUrl: mock.url, config: config(files) });
  });
  after(() => stopAll(gw, mock));

  test('burst and sustained limits with RateLimit headers on every response; 429 quota-exceeded with Retry-After', async () => {
    const { access_token } = await tokensFor(gw, 'alice');
    const rs = await burst(gw, 6, '/api/portfolio', bearer(access_token));
    assert.deepEqual(statuses(rs), [200, 200, 200, 200, 200, 429]);
    assert.equal(rs[0]!.headers['ratelimit-policy'], '"burst";q=5;w=2, "sustained";q=8;w=60');
    assert.deepEqual(parseItems(rs[0]!.headers.ratelimit).burst!.r, 4);
    assert.deepEqual(parseItems(rs[0]!.headers.ratelimit).sustained!.r, 7);
    assert.deepEqual(parseItems(rs[3]!.headers.ratelimit).burst!.r, 1);
    const refused = rs[5]!;
    assert.equal(refused.headers['content-type'], 'application/problem+json');
    const problem = refused.json<{ type: string; code: string; status: number }>();
    assert.equal(problem.type, 'https://iana.org/assignments/http-problem-types#quota-exceeded');
    assert.equal(problem.code, 'ratelimit.exceeded');
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
    assert.equal(parseItems(refused.headers.ratelimit).burst!.r, 0);
    // After the burst window the sustained budget still counts: 3 more, then 429 for a minute.
    await new Promise((r) => setTimeout(r, 2100));
    const later = await burst(gw, 4, '/api/portfolio', bearer(access_token));
    assert.deepEqual(statuses(later), [200, 200, 200, 429]);
    assert.ok(Number(later[3]!.headers['retry-after']) > 30, 'the sustained window decides now');
    assert.equal(await mock.count('GET /api/portfolio'), 8, 'refused requests never reach the backend');
  });

  test('a role override gives admins a larger budget', async () => {
    const { access_token } = await tokensFor(gw, 'root'); // admin: 3x
    const rs = await burst(gw, 16, '/api/portfolio', bearer(access_token));
    assert.equal(rs[0]!.headers['ratelimit-policy'], '"burst";q=15;w=2, "sustained";q=24;w=60');
    assert.deepEqual(statuses(rs).filter((s) => s === 200).length, 15);
  });

  test('an API key override gives that key its own larger budget', async () => {
    const rs = await burst(gw, 11, '/api/portfolio', { 'X-API-Key': files.keys.trader });
    assert.equal(rs[0]!.headers['ratelimit-policy'], '"burst";q=10;w=2, "sustained";q=16;w=60');
    assert.deepEqual(statuses(rs).filter((s) => s === 200).length, 10);
  });

  test('routes naming one policy share its budget', async () => {
    const { access_token } = await tokensFor(gw, 'bob');
    const a = await burst(gw, 2, '/api/dashboard/risk', bearer(access_token));
    const b = await burst(gw, 3, '/api/dashboard/overview', bearer(access_token));
    assert.deepEqual([...statuses(a), ...statuses(b)], [200, 200, 200, 200, 429]);
  });

  test('anonymous callers are limited by address; X-Forwarded-For from an untrusted peer changes nothing', async () => {
    const rs: ClientResponse[] = [];
    for (let i = 0; i < 4; i++) rs.push(await gw.request('/api/docs', { headers: { 'X-Forwarded-For': `198.51.100.${i}`, 'X-Real-IP': `203.0.113.${i}` } }));
    assert.deepEqual(statuses(rs), [200, 200, 200, 429]);
  });

  test('a reload that leaves rateLimits alone keeps the counters (the memory store holds them)', async () => {
    assert.equal((await gw.request('/api/docs')).status, 429, 'spent by the test before');
    gw.writeConfig(`${config(files)}`.replace('routes:\n', 'routes:\n  - id: added-by-reload\n    path: /api/market/prices\n    methods: [GET]\n    auth: none\n'));
    const line = await gw.reload();
    assert.deepEqual(line.routes_added, ['added-by-reload']);
    assert.equal((await gw.request('/api/docs')).status, 429);
  });

  test('a reload that leaves auth alone keeps the login-failure counters', async () => {
    // Its own gateway, with no default policy on the token endpoints, so only the login limiter speaks.
    const own = await startGateway({ upstreamUrl: mock.url, config: config(files).replace('  default: standard\n', '') });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await login(own, 'carol', 'wrong')).status, 401);
      assert.equal((await login(own, 'carol', PASSWORDS.carol)).json<{ code: string }>().code, 'auth.too_many_attempts');
      own.writeConfig(config(files).replace('  default: standard\n', '').replace('routes:\n', 'routes:\n  - id: added-again\n    path: /api/market/prices\n    methods: [GET]\n    auth: none\n'));
      assert.equal((await own.reload()).msg, 'config reloaded');
      assert.equal((await login(own, 'carol', PASSWORDS.carol)).json<{ code: string }>().code, 'auth.too_many_attempts');
    } finally {
      await own.stop();
    }
  });

  test('block duration keeps refusing after the window ends', async () => {
    const rs = await burst(gw, 3, '/api/dashboard/trading');
    assert.deepEqual(statuses(rs), [200, 200, 429]);
    await new Promise((r) => setTimeout(r, 1200)); // the 1 s window is over, the 3 s block is not
    const still = await gw.request('/api/dashboard/trading');
    assert.equal(still.status, 429);
    assert.ok(Number(still.headers['retry-after']) >= 1);
  });

  test('opted-out routes carry no limit and no headers', async () => {
    const rs = await burst(gw, 12, '/health');
    assert.ok(rs.every((r) => r.status === 200 && r.headers['ratelimit'] === undefined));
  });
});

describe('rate limits behind a trusted proxy', () => {
  test('the forwarded client address is the key: each client has its own budget', async () => {
    const files = await makeAuthFiles();
    const mock = await startMock();
    const gw = await startGateway({ upstreamUrl: mock.url, config: config(files, { trusted: true }) });
    try {
      const from = (ip: string) => gw.request('/api/docs', { headers: { 'X-Forwarded-For': ip } });
      const a = [await from('198.51.100.1'), await from('198.51.100.1'), await from('198.51.100.1'), await from('198.51.100.1')];
      assert.deepEqual(statuses(a), [200, 200, 200, 429]);
      assert.equal((await from('198.51.100.2')).status, 200);
      // Spoofing a left-hand entry does not help: the right-most untrusted address is the client.
      assert.equal((await from('9.9.9.9, 198.51.100.1')).status, 429);
    } finally {
      await stopAll(gw, mock);
    }
  });
});

describe('the unauthenticated budget', () => {
  test('a flood of made-up tokens from one address is refused before any signature is checked', async () => {
    const files = await makeAuthFiles();
    const mock = await startMock();
    const gw = await startGateway({ upstreamUrl: mock.url, config: config(files).replace('unauthenticated: { points: 400, duration: 1m }', 'unauthenticated: { points: 3, duration: 1m }') });
    try {
      const rs = await burst(gw, 5, '/api/portfolio', bearer('made.up.token'));
      assert.deepEqual(statuses(rs), [401, 401, 401, 429, 429]);
      assert.equal((await gw.request('/health')).status, 200, 'routes without auth are not charged');
    } finally {
      await stopAll(gw, mock);
    }
  });
});

describe('rate limits shared through Redis', () => {
  let pair: SharedPair;
  let a: GatewayHandle;
  let b: GatewayHandle;
  let files: AuthFiles;
  before(async () => {
    files = await makeAuthFiles();
    pair = await startPairOnRedis((store) => config(files, { store }));
    ({ a, b } = pair);
  });
  after(() => stopPair(pair));

  test('exactness: 200 concurrent requests from one key over two instances, limit 50: exactly 50 pass', async () => {
    const agents = [new Agent({ keepAlive: true, maxSockets: 25, ca: a.ca, servername: 'localhost' }), new Agent({ keepAlive: true, maxSockets: 25, ca: b.ca, servername: 'localhost' })];
    try {
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => {
        const gw = i % 2 === 0 ? a : b;
        return gw.request('/__mock/echo', { headers: { 'X-API-Key': files.keys.trader }, tls: { agent: agents[i % 2] } });
      }));
      const counts = { ok: results.filter((r) => r.status === 200).length, limited: results.filter((r) => r.status === 429).length };
      assert.deepEqual(counts, { ok: 50, limited: 150 });
    } finally {
      agents.forEach((x) => x.destroy());
    }
  });

  test('Redis killed mid-run: the insurance limiter takes over without a 5xx; after restart counting is shared again', async () => {
    const api = { 'X-API-Key': files.keys.trader };
    assert.equal((await a.request('/api/portfolio', { headers: api })).status, 200);
    await pair.redis.stop();
    const during = [...await burst(a, 11, '/api/portfolio', api), ...await burst(b, 11, '/api/portfolio', api)];
    assert.ok(during.every((r) => r.status < 500), `statuses during the outage: ${statuses(during)}`);
    // Per instance now: each instance refuses after its own burst budget (5, doubled for this key).
    const perInstance = [...Array(10).fill(200), 429];
    assert.deepEqual(statuses(during), [...perInstance, ...perInstance]);
    pair.redis = await startRedis(pair.redis.port);
    await new Promise((r) => setTimeout(r, 2500)); // ioredis reconnects; the burst window passes
    // Logged in now: this Redis kept nothing across its restart, sessions included (docs/adr/0004).
    const { access_token } = await tokensFor(a, 'carol'); // viewer: /api/dashboard/risk uses "shared" (4 per minute)
    const shared = [...await burst(a, 3, '/api/dashboard/risk', bearer(access_token)), ...await burst(b, 3, '/api/dashboard/risk', bearer(access_token))];
    // "shared" allows 4 per minute per user across both instances again.
    assert.equal(shared.filter((r) => r.status === 200).length, 4, `statuses after restart: ${statuses(shared)}`);
  });
});

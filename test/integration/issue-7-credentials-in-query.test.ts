import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { authConfig, bearer, makeAuthFiles, tokensFor, type AuthFiles } from '../helpers/auth-fixture.js';
import { startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

/**
 * Found by an outside review of issue 7: credentials in the query string got past the check.
 * (a) A handshake that brought `access_token` skipped the check for every other parameter, so
 * `?access_token=T&api_key=SECRET` was upgraded and the backend saw the key. (b) A
 * percent-encoded name (`access%5Ftoken`, `api%5Fkey`), which the backend decodes to the real
 * one, was neither taken out nor refused, on WebSocket and HTTP routes alike.
 */

/** The handshake's status (101 when upgraded) and, when refused, the problem code. */
function handshake(gw: GatewayHandle, path: string): Promise<{ status: number; code?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${gw.httpsPort}${path}`, { ca: gw.ca, servername: 'localhost' } as WebSocket.ClientOptions);
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101 });
    });
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, code: (JSON.parse(Buffer.concat(chunks).toString()) as { code: string }).code }));
    });
    ws.once('error', reject);
  });
}

describe('issue 7: credential parameters in the query string are refused however they come', () => {
  let files: AuthFiles;
  let mock: MockHandle;
  let gw: GatewayHandle;
  let jwt: string;
  before(async () => {
    files = await makeAuthFiles();
    ({ mock, gw } = await startMockAndGateway({ config: authConfig(files) }));
    jwt = (await tokensFor(gw, 'alice')).access_token;
  });
  after(() => stopAll(gw, mock));

  test('a handshake with access_token and other credential parameters is refused; the backend sees none', async () => {
    for (const extra of ['api_key=SECRET-KEY&token=X', 'token=X', 'API_KEY=SECRET-KEY', 'api%5Fkey=SECRET-KEY']) {
      assert.deepEqual(await handshake(gw, `/ws/prices?access_token=${jwt}&${extra}`), { status: 401, code: 'auth.credentials_in_query' }, extra);
    }
    assert.equal(await mock.count('WS /ws/prices'), 0);
  });

  test('a percent-encoded access_token is taken out of a handshake\'s query like a plain one', async () => {
    assert.equal((await handshake(gw, `/ws/prices?access%5Ftoken=${jwt}&symbols=BTC%2CETH`)).status, 101);
    assert.equal((await handshake(gw, `/ws/prices?%61ccess_token=${jwt}`)).status, 101);
    assert.equal((await mock.last('/ws/prices'))!.path, '/ws/prices', 'no token left for the backend');
    assert.equal((await handshake(gw, `/ws/prices?symbols=BTC%2CETH&access%5Ftoken=${jwt}`)).status, 101);
    assert.equal((await mock.last('/ws/prices'))!.path, '/ws/prices?symbols=BTC%2CETH', 'the rest of the query goes on as sent');
    const logged = JSON.stringify(gw.logs());
    assert.ok(!logged.includes(jwt), 'the token is never logged');
  });

  test('a percent-encoded credential name on an HTTP route is refused', async () => {
    const before = await mock.count('GET /api/portfolio');
    // The last two: an '=' sent as %3D leaves no parameter a backend reads, but the key rides along (second review).
    for (const query of [`access%5Ftoken=${jwt}`, `api%5Fkey=${files.keys.trader}`, 'x%2Dapi%2Dkey=SECRET', 'TOKEN%3D=x&t%6Fken=SECRET', `api_key%3D${files.keys.trader}`, `a=1&access_token%3d${jwt}`]) {
      const res = await gw.request(`/api/portfolio?${query}`, { headers: bearer(jwt) });
      assert.equal(res.status, 401, query);
      assert.equal(res.json<{ code: string }>().code, 'auth.credentials_in_query', query);
    }
    assert.equal(await mock.count('GET /api/portfolio'), before);
    // Escapes that decode to no credential name, or do not decode at all, are ordinary parameters.
    for (const query of ['symbol=BTC%2CETH', 'access%255Ftoken=x', 'bad%ZZ=1&to%E2%82%ACken=1']) {
      assert.equal((await gw.request(`/api/portfolio?${query}`, { headers: bearer(jwt) })).status, 200, query);
    }
  });
});

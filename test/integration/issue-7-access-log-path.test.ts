import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMockAndGateway, statusOf, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';

/**
 * Issue 7: the access log lost the path of 404s (a 404 for /metrics logged path "") and of
 * requests refused before routing. Now a 404 logs its normalized path and a request refused
 * before normalization logs the path as received: capped, escaped, without the query.
 */
describe('issue 7: the access log keeps the path of refused requests', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway()));
  after(() => stopAll(gw, mock));

  test('a 404 is logged with its path', async () => {
    const res = await gw.request('/metrics', { headers: { 'X-Request-Id': 'issue-7-not-found' } });
    assert.equal(res.status, 404);
    const line = await accessLine(gw, 'issue-7-not-found');
    assert.equal(line.path, '/metrics');
    assert.equal(line.reason, 'route.not_found');
  });

  test('a 404 logs the normalized path, and only the names of query parameters', async () => {
    assert.equal((await gw.request('/a/./b/../metrics?token=secret', { headers: { 'X-Request-Id': 'issue-7-normalized' } })).status, 404);
    const line = await accessLine(gw, 'issue-7-normalized');
    assert.equal(line.path, '/a/metrics');
    assert.equal(line.query_keys, 'token');
    assert.ok(!JSON.stringify(line).includes('secret'));
  });

  test('only what looks like a parameter name is logged: a bare key or token in the query is not', async () => {
    const key = 'gwk_abcdefghijkl_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH';
    const res = await gw.request(`/nope?${key}&debug&page=2&x%3Dsecretvalue=1`, { headers: { 'X-Request-Id': 'issue-7-bare-key' } });
    assert.equal(res.status, 404);
    const line = await accessLine(gw, 'issue-7-bare-key');
    assert.equal(line.query_keys, '~,debug,page,~');
    const logged = JSON.stringify(gw.logs());
    assert.ok(!logged.includes('0123456789abcdef') && !logged.includes('secretvalue'), 'no part of the key or value is logged');
  });

  test('a path refused before normalization is logged as received, without its query', async () => {
    const res = await gw.request('/api/x%2Fy?token=secret', { headers: { 'X-Request-Id': 'issue-7-bad-path' } });
    assert.equal(res.status, 400);
    const line = await accessLine(gw, 'issue-7-bad-path');
    assert.equal(line.path, '/api/x%2Fy');
    assert.equal(line.reason, 'request.bad_path');
    assert.ok(!JSON.stringify(line).includes('secret'));
  });

  test('a raw path is escaped and capped at 256 characters', async () => {
    const raw = await gw.raw(`GET /api\\${'a'.repeat(400)} HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: issue-7-long-path\r\n\r\n`);
    assert.equal(statusOf(raw), 400);
    const line = await accessLine(gw, 'issue-7-long-path');
    assert.equal(line.path, `/api\\x5C${'a'.repeat(248)}`);
  });

  test('a long normalized path (a 404, charged to no budget) is capped like a raw one, marked as cut', async () => {
    const res = await gw.request(`/nope/${'a'.repeat(12_000)}`, { headers: { 'X-Request-Id': 'issue-7-long-404' } });
    assert.equal(res.status, 404);
    const line = await accessLine(gw, 'issue-7-long-404');
    assert.equal(line.path, `/nope/${'a'.repeat(250)}…(12006 chars)`);
  });

  test('a request refused before routing (two Host headers) still logs its path', async () => {
    const raw = await gw.raw('GET /api/portfolio?x=1 HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nX-Request-Id: issue-7-two-hosts\r\n\r\n');
    assert.equal(statusOf(raw), 400);
    const line = await accessLine(gw, 'issue-7-two-hosts');
    assert.equal(line.path, '/api/portfolio');
    assert.equal(line.reason, 'request.duplicate_host');
  });
});

async function accessLine(gw: GatewayHandle, requestId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50; i++) {
    const line = gw.logs().find((l) => l.kind === 'access' && l.request_id === requestId);
    if (line) return line;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no access line for ${requestId}`);
}

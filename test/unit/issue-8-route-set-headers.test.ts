import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildUpstreamHeaders, type HeaderPolicy } from '../../gateway/upstream/request-headers.js';

// Review 2 finding 1: a route's `headers.request.set` is the only value the backend sees for that
// name, however many times and however the client spelled it.
const facts = { requestId: 'req-1', host: 'api.example.com', upstreamHost: '127.0.0.1:8000', peer: '203.0.113.9', peerTrusted: false, upgrade: false };
const policy: HeaderPolicy = {
  identityHeaders: new Set(['x-user-id']), remove: new Set(), set: [['x-env', 'prod'], ['x-forwarded-proto', 'http']],
};

const cases: { why: string; raw: string[]; upgrade?: boolean }[] = [
  { why: 'one client occurrence', raw: ['X-Env', 'evil'] },
  { why: 'two client occurrences', raw: ['X-Env', 'a', 'X-Env', 'b'] },
  { why: 'another spelling of the name', raw: ['x-ENV', 'evil', 'Accept', '*/*'] },
  { why: 'a client value that reads like the name does not confuse the replacement', raw: ['X-Note', 'x-forwarded-proto', 'X-Env', 'evil'] },
  { why: 'a WebSocket handshake', raw: ['Connection', 'Upgrade', 'Upgrade', 'websocket', 'X-Env', 'a', 'X-Env', 'b'], upgrade: true },
];
for (const c of cases) {
  test(`issue 8 route set headers: the route's value alone reaches the backend: ${c.why}`, () => {
    const out = buildUpstreamHeaders(c.raw, { ...facts, upgrade: c.upgrade ?? false }, policy);
    const values = (name: string) => out.filter((_, i) => i % 2 === 1 && out[i - 1] === name);
    assert.deepEqual(values('x-env'), ['prod'], out.join(' | '));
    assert.deepEqual(values('x-forwarded-proto'), ['http'], 'a route may restate a field the gateway sets: replaced, once');
  });
}

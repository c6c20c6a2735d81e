import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import { test } from 'node:test';
import { clientAddress } from '../../gateway/pipeline/client-address.js';
import { buildUpstreamHeaders } from '../../gateway/upstream/request-headers.js';
import { filterResponseHeaders } from '../../gateway/upstream/response-headers.js';
import { hostName } from '../../gateway/pipeline/check-request.js';

const trusted = new BlockList();
trusted.addSubnet('10.0.0.0', 8, 'ipv4');

const ipCases: { peer: string; xff?: string; want: string; why: string }[] = [
  { peer: '203.0.113.9', xff: '1.2.3.4', want: '203.0.113.9', why: 'untrusted peer: its XFF is ignored' },
  { peer: '10.0.0.5', xff: '198.51.100.7', want: '198.51.100.7', why: 'trusted proxy: right-most untrusted XFF entry' },
  { peer: '10.0.0.5', xff: '6.6.6.6, 198.51.100.7, 10.0.0.9', want: '198.51.100.7', why: 'trusted hops skipped from the right, spoofed left part ignored' },
  { peer: '10.0.0.5', xff: '10.0.0.7', want: '10.0.0.5', why: 'all hops trusted: the peer' },
  { peer: '::ffff:10.0.0.5', xff: 'garbage, 198.51.100.7', want: '198.51.100.7', why: 'IPv4-mapped peer recognised' },
  { peer: '10.0.0.5', want: '10.0.0.5', why: 'trusted proxy without XFF' },
];
for (const c of ipCases) {
  test(`clientAddress: ${c.why}`, () => assert.equal(clientAddress(c.peer, c.xff, trusted), c.want));
}

const facts = { requestId: 'req-12345678', host: 'api.example.com', upstreamHost: '127.0.0.1:8000', peer: '203.0.113.9', peerTrusted: false, upgrade: false };
const policy = { identityHeaders: new Set(['x-user-id', 'x-user-roles', 'x-auth-method']), remove: new Set(['x-debug']), set: [['x-gateway', 'yes'] as const] };

test('upstream headers: hop-by-hop, Connection-listed, forwarding, identity and underscore names are dropped', () => {
  const out = buildUpstreamHeaders([
    'Host', 'api.example.com',
    'Connection', 'keep-alive, X-Secret-Hop',
    'Keep-Alive', 'timeout=5',
    'X-Secret-Hop', 'drop me',
    'TE', 'trailers',
    'Upgrade', 'h2c',
    'Proxy-Authorization', 'Basic abc',
    'X-Forwarded-For', '6.6.6.6',
    'Forwarded', 'for=6.6.6.6',
    'X-Real-IP', '6.6.6.6',
    'X-User-Id', 'admin',
    'X_User_Id', 'admin',
    'X-HTTP-Method-Override', 'DELETE',
    'X-Request-Id', 'client-chosen-id',
    'X-Debug', '1',
    'Accept', 'application/json',
    'Authorization', 'Bearer t',
  ], facts, policy);
  const pairs = toPairs(out);
  assert.deepEqual(pairs, [
    ['accept', 'application/json'],
    ['authorization', 'Bearer t'],
    ['host', '127.0.0.1:8000'],
    ['x-forwarded-for', '203.0.113.9'],
    ['x-forwarded-proto', 'https'],
    ['x-forwarded-host', 'api.example.com'],
    ['x-request-id', 'req-12345678'],
    ['x-gateway', 'yes'],
  ]);
});

test('upstream headers: a trusted proxy\'s forwarding headers are extended, not replaced', () => {
  const out = toPairs(buildUpstreamHeaders(['X-Forwarded-For', '198.51.100.7', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'shop.example'], { ...facts, peer: '10.0.0.5', peerTrusted: true }, policy));
  assert.deepEqual(out.find(([k]) => k === 'x-forwarded-for'), ['x-forwarded-for', '198.51.100.7, 10.0.0.5']);
  assert.deepEqual(out.find(([k]) => k === 'x-forwarded-host'), ['x-forwarded-host', 'shop.example']);
});

test('upstream headers: a WebSocket handshake keeps Upgrade and Connection', () => {
  const out = toPairs(buildUpstreamHeaders(['Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'], { ...facts, upgrade: true }, policy));
  assert.deepEqual(out.slice(0, 3), [['connection', 'Upgrade'], ['upgrade', 'websocket'], ['sec-websocket-key', 'k']]);
});

test('response headers: hop-by-hop, Connection-listed and dropped names removed; set-cookie lines kept apart', () => {
  const out = filterResponseHeaders({
    connection: 'x-internal', 'x-internal': 'secret', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked',
    server: 'uvicorn', 'x-powered-by': 'php', 'content-security-policy': 'weak', 'content-type': 'application/json',
    'set-cookie': ['a=1', 'b=2'],
  }, new Set(['server', 'x-powered-by', 'content-security-policy']), []);
  assert.deepEqual(toPairs(out), [['content-type', 'application/json'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
});

const hostCases: [string, string | null][] = [
  ['api.example.com', 'api.example.com'], ['API.Example.com:8443', 'api.example.com'], ['127.0.0.1:443', '127.0.0.1'],
  ['[::1]:8443', '::1'], ['evil.com/x', null], ['a b', null], ['', null], ['host:99999999', null],
];
for (const [value, want] of hostCases) {
  test(`hostName(${JSON.stringify(value)}) is ${JSON.stringify(want)}`, () => assert.equal(hostName(value), want));
}

function toPairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Principal } from '../../gateway/auth/principal.js';
import { decodeRecord, encodeRecord, replayableHeaders, type IdempotencyRecord } from '../../gateway/idempotency/idempotency-record.js';
import { recordKey } from '../../gateway/idempotency/record-key.js';
import { requestFingerprint, type FingerprintInput } from '../../gateway/idempotency/request-fingerprint.js';

const base: FingerprintInput = { method: 'POST', path: '/api/trading/orders', query: '', contentType: 'application/json', body: Buffer.from('{"symbol":"BTC"}') };

const fingerprints: { change: Partial<FingerprintInput>; same: boolean; why: string }[] = [
  { change: {}, same: true, why: 'the same request' },
  { change: { body: Buffer.from('{"symbol":"ETH"}') }, same: false, why: 'another body' },
  { change: { body: Buffer.from('{"symbol": "BTC"}') }, same: false, why: 'the same JSON with other bytes: bytes count, not meaning' },
  { change: { method: 'PATCH' }, same: false, why: 'another method' },
  { change: { path: '/api/trading/orders/1' }, same: false, why: 'another path' },
  { change: { query: '?dry=1' }, same: false, why: 'a query' },
  { change: { contentType: 'application/x-www-form-urlencoded' }, same: false, why: 'the same bytes as another media type' },
  { change: { contentType: undefined }, same: false, why: 'no Content-Type' },
  { change: { path: '/api/trading/order', query: 's?' }, same: false, why: 'parts that would run together without length prefixes' },
];

for (const c of fingerprints) {
  test(`requestFingerprint: ${c.why}`, () => {
    assert.equal(requestFingerprint({ ...base, ...c.change }) === requestFingerprint(base), c.same);
  });
}

const user = (id: string, method: Principal['method'] = 'jwt', external = false): Principal => ({
  id, roles: new Set(['trader']), method,
  token: method === 'jwt' ? { jti: 'j', family: undefined, issuedAt: 0, expiresAt: 0, external } : undefined,
});

test('recordKey: one caller and key give one store key, with neither in clear', () => {
  const key = recordKey(user('alice'), 'order-1');
  assert.equal(key, recordKey(user('alice'), 'order-1'));
  assert.match(key, /^idem:[A-Za-z0-9_-]{43}$/);
  assert.ok(!key.includes('alice') && !key.includes('order-1'));
});

const distinct: [string, Principal, string][] = [
  ['another user', user('bob'), 'order-1'],
  ['an API key with the user\'s name', user('alice', 'apiKey'), 'order-1'],
  ['an identity provider\'s subject with the user\'s name', user('alice', 'jwt', true), 'order-1'],
  ['another key', user('alice'), 'order-2'],
];
for (const [why, principal, k] of distinct) {
  test(`recordKey: ${why} is another store key`, () => {
    assert.notEqual(recordKey(principal, k), recordKey(user('alice'), 'order-1'));
  });
}

const records: [string, IdempotencyRecord][] = [
  ['in flight', { state: 'in-flight', fingerprint: 'f', owner: 'o' }],
  ['done, with binary body and repeated headers', { state: 'done', fingerprint: 'f', status: 201, headers: { 'content-type': 'application/json', vary: ['a', 'b'] }, body: Buffer.from([0, 255, 10, 13]) }],
  ['too large', { state: 'too-large', fingerprint: 'f', status: 200 }],
];
for (const [why, record] of records) {
  test(`encodeRecord/decodeRecord round trip: ${why}`, () => {
    assert.deepEqual(decodeRecord(Buffer.from(encodeRecord(record))), record);
  });
}

const foreign: [string, string][] = [
  ['not JSON', 'abc'],
  ['JSON null', 'null'],
  ['no fingerprint', '{"state":"in-flight","owner":"o"}'],
  ['an unknown state', '{"state":"later","fingerprint":"f","status":200}'],
  ['done without a body', '{"state":"done","fingerprint":"f","status":200,"headers":{}}'],
  ['headers with a number', '{"state":"done","fingerprint":"f","status":200,"headers":{"a":1},"body":""}'],
];
for (const [why, raw] of foreign) {
  test(`decodeRecord: ${why} is not a record`, () => {
    assert.equal(decodeRecord(Buffer.from(raw)), null);
  });
}

test('replayableHeaders: no Set-Cookie, hop-by-hop fields or Content-Length; the rest kept', () => {
  const kept = replayableHeaders({
    'content-type': 'application/json', 'content-length': '12', 'set-cookie': ['sid=1'], connection: 'keep-alive',
    'transfer-encoding': 'chunked', 'keep-alive': 'timeout=5', location: '/api/trading/orders/7', date: 'Sun, 29 Nov 2026 20:00:00 GMT',
  });
  assert.deepEqual(kept, { 'content-type': 'application/json', location: '/api/trading/orders/7', date: 'Sun, 29 Nov 2026 20:00:00 GMT' });
});

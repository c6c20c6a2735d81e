import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ageHeader, entryState, usableUntil, type EntryMeta, type EntryStateName } from '../../gateway/cache/policy/entry-state.js';
import { clientAccepts, requestDecision, type RequestDecision } from '../../gateway/cache/policy/request-decision.js';
import { storeDecision } from '../../gateway/cache/policy/store-decision.js';
import type { HeaderRecord } from '../../gateway/cache/policy/header-value.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const S = 1000;
const meta = (m: Partial<EntryMeta>): EntryMeta => ({
  storedAt: T0, initialAgeMs: 0, freshMs: 10 * S, staleWhileRevalidateMs: 0, staleIfErrorMs: 0, revalidateAlways: false, noStale: false, ...m,
});

const stateCases: { why: string; meta: Partial<EntryMeta>; at: number; state: EntryStateName; ageMs: number; ttlMs: number }[] = [
  { why: 'RFC 9111 4.2: fresh while freshness_lifetime > current_age', meta: {}, at: T0 + 9 * S, state: 'fresh', ageMs: 9 * S, ttlMs: 1 * S },
  { why: 'RFC 9111 4.2: at age == lifetime it is stale', meta: {}, at: T0 + 10 * S, state: 'expired', ageMs: 10 * S, ttlMs: 0 },
  { why: 'RFC 9111 4.2.3: current_age = corrected initial age + resident time', meta: { initialAgeMs: 4 * S }, at: T0 + 5 * S, state: 'fresh', ageMs: 9 * S, ttlMs: 1 * S },
  { why: 'RFC 9111 4.2.3: a clock stepped back gives resident time 0', meta: { initialAgeMs: 2 * S }, at: T0 - 60 * S, state: 'fresh', ageMs: 2 * S, ttlMs: 8 * S },
  { why: 'RFC 5861 3: within stale-while-revalidate', meta: { staleWhileRevalidateMs: 5 * S, staleIfErrorMs: 60 * S }, at: T0 + 14 * S, state: 'stale-while-revalidate', ageMs: 14 * S, ttlMs: -4 * S },
  { why: 'RFC 5861 4: past SWR, within stale-if-error', meta: { staleWhileRevalidateMs: 5 * S, staleIfErrorMs: 60 * S }, at: T0 + 15 * S, state: 'stale-if-error-only', ageMs: 15 * S, ttlMs: -5 * S },
  { why: 'past every window: expired', meta: { staleWhileRevalidateMs: 5 * S, staleIfErrorMs: 60 * S }, at: T0 + 70 * S, state: 'expired', ageMs: 70 * S, ttlMs: -60 * S },
  { why: 'RFC 9111 4.2.4: noStale skips windows even if a meta carries them', meta: { noStale: true, staleWhileRevalidateMs: 5 * S, staleIfErrorMs: 60 * S }, at: T0 + 11 * S, state: 'expired', ageMs: 11 * S, ttlMs: -1 * S },
  { why: 'RFC 9111 5.2.2.4: no-cache is never fresh', meta: { revalidateAlways: true }, at: T0, state: 'expired', ageMs: 0, ttlMs: 10 * S },
  { why: 'freshMs 0 with SWR: stale-while-revalidate from the start', meta: { freshMs: 0, staleWhileRevalidateMs: 30 * S }, at: T0, state: 'stale-while-revalidate', ageMs: 0, ttlMs: 0 },
];
for (const c of stateCases) {
  test(`entryState: ${c.why}`, () => assert.deepEqual(entryState(meta(c.meta), c.at), { state: c.state, ageMs: c.ageMs, ttlMs: c.ttlMs }));
}

const ageCases: { ms: number; want: string; why: string }[] = [
  { ms: 0, want: '0', why: 'RFC 9111 5.1: zero' },
  { ms: 1999, want: '1', why: 'RFC 9111 5.1: whole seconds, rounded down' },
  { ms: -5, want: '0', why: 'never negative' },
  { ms: 3e15, want: '2147483648', why: 'RFC 9111 1.2.2: overflow saturates at 2^31' },
];
for (const c of ageCases) test(`ageHeader(${c.ms}): ${c.why}`, () => assert.equal(ageHeader(c.ms), c.want));

test('usableUntil: end of freshness plus the larger stale window, from storage time', () => {
  assert.equal(usableUntil(meta({ initialAgeMs: 2 * S, staleWhileRevalidateMs: 5 * S, staleIfErrorMs: 60 * S })), T0 + 8 * S + 60 * S);
  assert.equal(usableUntil(meta({ noStale: true, staleIfErrorMs: 60 * S })), T0 + 10 * S);
  assert.equal(usableUntil(meta({ revalidateAlways: true })), T0);
});

test('storeDecision + entryState: Age and response delay carry into the served age (RFC 9111 4.2.3)', () => {
  const d = storeDecision({
    method: 'GET', requestHeaders: {}, status: 200, responseHeaders: { 'cache-control': 'max-age=60', age: '50' },
    requestTime: T0 - 1 * S, responseTime: T0,
  }, { ttlMs: null, staleWhileRevalidateMs: null, staleIfErrorMs: null, scope: 'shared', statuses: new Set([200]), respectUpstream: true, requestHadAuthorization: false });
  assert.equal(d.store, true);
  if (!d.store) return;
  const st = entryState({ storedAt: T0, ...d }, T0 + 8 * S);
  assert.deepEqual(st, { state: 'fresh', ageMs: 59 * S, ttlMs: 1 * S });
  assert.equal(ageHeader(st.ageMs), '59');
  assert.equal(entryState({ storedAt: T0, ...d }, T0 + 9 * S).state, 'expired');
});

const NONE: RequestDecision = { bypass: false, revalidate: false, onlyIfCached: false, maxAgeMs: null, minFreshMs: null };
const reqCases: { why: string; headers: HeaderRecord; honour: boolean; want: Partial<RequestDecision> }[] = [
  { why: 'no directives', headers: {}, honour: true, want: {} },
  { why: 'issue 8: client no-cache ignored unless the route honours it', headers: { 'cache-control': 'no-cache' }, honour: false, want: {} },
  { why: 'issue 8: client no-store ignored unless honoured', headers: { 'cache-control': 'no-store' }, honour: false, want: {} },
  { why: 'issue 8: client max-age=0 ignored unless honoured', headers: { 'cache-control': 'max-age=0' }, honour: false, want: {} },
  { why: 'issue 8: Pragma ignored unless honoured', headers: { pragma: 'no-cache' }, honour: false, want: {} },
  { why: 'RFC 9111 5.2.1.4: honoured no-cache revalidates', headers: { 'cache-control': 'No-Cache' }, honour: true, want: { revalidate: true } },
  { why: 'RFC 9111 5.2.1.5: honoured no-store bypasses', headers: { 'cache-control': 'no-store' }, honour: true, want: { bypass: true } },
  { why: 'RFC 9111 5.2.1.1: honoured max-age=0 revalidates', headers: { 'cache-control': 'max-age=0' }, honour: true, want: { revalidate: true, maxAgeMs: 0 } },
  { why: 'RFC 9111 5.2.1.1: honoured max-age=30 bounds the age', headers: { 'cache-control': 'max-age=30' }, honour: true, want: { maxAgeMs: 30 * S } },
  { why: 'RFC 9111 5.2.1.1: an invalid max-age is ignored', headers: { 'cache-control': 'max-age=abc' }, honour: true, want: {} },
  { why: 'RFC 9111 5.2.1.3: honoured min-fresh', headers: { 'cache-control': 'min-fresh=5' }, honour: true, want: { minFreshMs: 5 * S } },
  { why: 'RFC 9111 5.4: Pragma: no-cache without Cache-Control revalidates', headers: { pragma: 'no-cache' }, honour: true, want: { revalidate: true } },
  { why: 'RFC 9111 5.4: Pragma ignored when Cache-Control is present', headers: { pragma: 'no-cache', 'cache-control': 'max-age=60' }, honour: true, want: { maxAgeMs: 60 * S } },
  { why: 'RFC 9111 5.2.1.7: only-if-cached always honoured', headers: { 'cache-control': 'only-if-cached, no-cache' }, honour: false, want: { onlyIfCached: true } },
  { why: 'RFC 9111 5.2.1.7: only-if-cached with honoured directives', headers: { 'cache-control': 'only-if-cached, no-cache' }, honour: true, want: { onlyIfCached: true, revalidate: true } },
];
for (const c of reqCases) {
  test(`requestDecision: ${c.why}`, () => {
    assert.deepEqual(requestDecision(c.headers, { honourClientNoCache: c.honour }), { ...NONE, ...c.want });
  });
}

const acceptCases: { why: string; d: Partial<RequestDecision>; ageMs: number; ttlMs: number; want: boolean }[] = [
  { why: 'no preference: accepted', d: {}, ageMs: 5 * S, ttlMs: 5 * S, want: true },
  { why: 'revalidate: not without validation', d: { revalidate: true }, ageMs: 0, ttlMs: 5 * S, want: false },
  { why: 'RFC 9111 5.2.1.1: age above max-age', d: { maxAgeMs: 3 * S }, ageMs: 4 * S, ttlMs: 5 * S, want: false },
  { why: 'RFC 9111 5.2.1.1: age equal to max-age is fine', d: { maxAgeMs: 4 * S }, ageMs: 4 * S, ttlMs: 5 * S, want: true },
  { why: 'RFC 9111 5.2.1.3: not fresh long enough for min-fresh', d: { minFreshMs: 6 * S }, ageMs: 0, ttlMs: 5 * S, want: false },
];
for (const c of acceptCases) {
  test(`clientAccepts: ${c.why}`, () => assert.equal(clientAccepts({ ...NONE, ...c.d }, { ageMs: c.ageMs, ttlMs: c.ttlMs }), c.want));
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTraceparent, traceFor, traceparentOf } from '../../gateway/observability/trace-context.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const P = '00f067aa0ba902b7';

// W3C Trace Context (Level 2) 3.2: what is continued, and what restarts the trace.
const rows: { value: string; continued?: { traceId: string; flags: string }; why: string }[] = [
  { value: `00-${T}-${P}-01`, continued: { traceId: T, flags: '01' }, why: 'version 00, sampled: continued, flags kept' },
  { value: `00-${T}-${P}-00`, continued: { traceId: T, flags: '00' }, why: 'version 00, not sampled' },
  { value: `00-${T}-${P}-03`, continued: { traceId: T, flags: '03' }, why: 'sampled and random-trace-id (Level 2 3.2.2.5.2) are both kept' },
  { value: `00-${T}-${P}-ff`, continued: { traceId: T, flags: '03' }, why: 'unknown flags are set to zero (3.2.2.5: vendors MUST)' },
  { value: `00-${T.toUpperCase()}-${P}-01`, why: 'upper-case hex is not HEXDIGLC' },
  { value: `00-${'0'.repeat(32)}-${P}-01`, why: 'an all-zero trace-id is invalid' },
  { value: `00-${T}-${'0'.repeat(16)}-01`, why: 'an all-zero parent-id is invalid' },
  { value: `ff-${T}-${P}-01`, why: 'version ff is forbidden' },
  { value: `00-${T}-${P}-01-extra`, why: 'version 00 has exactly four fields' },
  { value: `00-${T}-${P}-1`, why: 'flags are two characters' },
  { value: `00-${T.slice(1)}-${P}-01`, why: 'a short trace-id' },
  { value: `0-${T}-${P}-01`, why: 'a version that is not two hex characters' },
  { value: `zz-${T}-${P}-01`, why: 'a version that is not hex' },
  { value: `00_${T}_${P}_01`, why: 'not dash-separated' },
  { value: '', why: 'empty' },
  { value: `cc-${T}-${P}-01`, continued: { traceId: T, flags: '01' }, why: 'a higher version, 55 characters: parsed like 00 (3.2.4)' },
  { value: `cc-${T}-${P}-09-what-the-future-holds`, continued: { traceId: T, flags: '01' }, why: 'a higher version with more fields: only the sampled bit is known' },
  { value: `cc-${T}-${P}-08`, continued: { traceId: T, flags: '00' }, why: 'a higher version keeps no flag but sampled' },
  { value: `cc-${T}-${P}-01x`, why: 'a higher version whose flags are not followed by the end or a dash' },
  { value: `cc-${T}-${P}`, why: 'a higher version shorter than 55 characters' },
  { value: `cc-${'0'.repeat(32)}-${P}-01`, why: 'a higher version with an all-zero trace-id' },
];
for (const row of rows) {
  test(`parseTraceparent: ${row.why}`, () => {
    assert.deepEqual(parseTraceparent(row.value), row.continued ?? null);
  });
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

test('traceFor: no traceparent starts a trace: random ids, the random-trace-id flag, not sampled, no tracestate', () => {
  const t = traceFor(undefined, 'congo=t61rcWkgMzE');
  assert.match(t.traceId, HEX32);
  assert.match(t.spanId, HEX16);
  assert.equal(t.flags, '02');
  assert.equal(t.state, undefined);
  const u = traceFor(undefined, undefined);
  assert.notEqual(u.traceId, t.traceId);
  assert.notEqual(u.spanId, t.spanId);
});

test('traceFor: a valid traceparent is continued with a new parent id, and its tracestate goes with it', () => {
  const t = traceFor(`00-${T}-${P}-01`, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  assert.equal(t.traceId, T);
  assert.match(t.spanId, HEX16);
  assert.notEqual(t.spanId, P);
  assert.equal(t.flags, '01');
  assert.equal(t.state, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  assert.equal(traceparentOf(t), `00-${T}-${t.spanId}-01`);
});

test('traceFor: an invalid traceparent restarts the trace and drops the tracestate (3.3: never parsed then)', () => {
  const t = traceFor(`00-${'0'.repeat(32)}-${P}-01`, 'congo=t61rcWkgMzE');
  assert.notEqual(t.traceId, '0'.repeat(32));
  assert.match(t.traceId, HEX32);
  assert.equal(t.state, undefined);
});

test('traceFor: several traceparent fields are not one trace: restarted', () => {
  assert.notEqual(traceFor([`00-${T}-${P}-01`, `00-${T}-${P}-01`], undefined).traceId, T);
  // Node joins repeated fields it does not know into one value: that is no traceparent either.
  assert.notEqual(traceFor(`00-${T}-${P}-01, 00-${T}-${P}-01`, undefined).traceId, T);
});

test('traceFor: several tracestate fields are one list (3.3.1); an empty one is none', () => {
  assert.equal(traceFor(`00-${T}-${P}-01`, ['rojo=1', 'congo=2']).state, 'rojo=1,congo=2');
  assert.equal(traceFor(`00-${T}-${P}-01`, '').state, undefined);
});

test('traceparentOf: always version 00, whatever version came in (3.2.4)', () => {
  assert.match(traceparentOf(traceFor(`cc-${T}-${P}-01-more`, undefined)), new RegExp(`^00-${T}-[0-9a-f]{16}-01$`));
});

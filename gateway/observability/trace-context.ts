import { randomFillSync } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context-2/): the gateway is one hop of the
 * trace. A valid incoming `traceparent` is continued (same trace id, a new parent id: the
 * gateway's span, the flags it may keep); an absent or invalid one starts a new trace. Pure but
 * for the random ids; table-tested in test/unit/issue-9-trace-context.test.ts.
 */
export interface TraceContext {
  /** 32 lowercase hex digits, never all zeros: the access log's `trace_id`. */
  readonly traceId: string;
  /** 16 lowercase hex digits: the gateway's span, the backend's parent. */
  readonly spanId: string;
  /** 2 lowercase hex digits. */
  readonly flags: string;
  /** The client's tracestate, passed on only beside a traceparent it continued (3.3). */
  readonly state: string | undefined;
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
// 3.2.2.5: sampled (0x01); Level 2 3.2.2.5.2 adds random-trace-id (0x02). Others MUST be zero.
const KNOWN_FLAGS = 0x03;
// Level 2 3.2.2.5.2: the ids the gateway makes are random, so a trace it starts says so. Not
// sampled: the gateway records no spans, only the trace id in its log (3.2.2.5.1: "set to 0 as
// the default option when the trace is initiated by this component").
const NEW_TRACE_FLAGS = '02';

/** The trace this request belongs to, from its `traceparent` and `tracestate` fields. */
export function traceFor(traceparent: string | string[] | undefined, tracestate: string | string[] | undefined): TraceContext {
  const parent = typeof traceparent === 'string' ? parseTraceparent(traceparent) : null;
  if (parent === null) return { traceId: randomId(16, ZERO_TRACE), spanId: randomId(8, ZERO_SPAN), flags: NEW_TRACE_FLAGS, state: undefined };
  // 3.3.1: several tracestate fields are one list, joined as RFC 9110 5.3 joins them (Node did).
  const state = Array.isArray(tracestate) ? tracestate.join(',') : tracestate;
  return { traceId: parent.traceId, spanId: randomId(8, ZERO_SPAN), flags: parent.flags, state: state === '' ? undefined : state };
}

/** The field the backend gets: always version 00, the highest this code knows (3.2.4). */
export function traceparentOf(t: TraceContext): string {
  return `00-${t.traceId}-${t.spanId}-${t.flags}`;
}

const V00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const LATER = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-|$)/;

/**
 * A traceparent's trace id and flags (to keep), or null when it must be ignored and the trace
 * restarted. Version 00 must match exactly (3.2.2); `ff` is forbidden; a higher version is read
 * as 3.2.4 says (at least 55 characters, the three fields where 00 has them, the flags followed
 * by the end or a dash) and only its sampled bit kept. All-zero ids are invalid (3.2.2.3, 3.2.2.4).
 */
export function parseTraceparent(value: string): { traceId: string; flags: string } | null {
  const v00 = V00.exec(value);
  if (v00 !== null) return ids(v00[1]!, v00[2]!, v00[3]!, KNOWN_FLAGS);
  const later = LATER.exec(value);
  // Version 00 with anything after its flags is not version 00 (nor anything else).
  if (later === null || later[1] === '00' || later[1] === 'ff') return null;
  // 3.2.4: of a later version's flags only the sampled bit is known.
  return ids(later[2]!, later[3]!, later[4]!, 0x01);
}

function ids(traceId: string, parentId: string, flags: string, mask: number): { traceId: string; flags: string } | null {
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return null;
  return { traceId, flags: (Number.parseInt(flags, 16) & mask).toString(16).padStart(2, '0') };
}

// Random bytes are drawn in batches: one fill per 170 new traces, not one call per id.
const pool = Buffer.allocUnsafe(4080);
let used = pool.length;

/** `bytes` random bytes as lowercase hex, never `zero` (an all-zero id is invalid). */
function randomId(bytes: number, zero: string): string {
  for (;;) {
    if (used + bytes > pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    const id = pool.toString('hex', used, used + bytes);
    used += bytes;
    if (id !== zero) return id;
  }
}

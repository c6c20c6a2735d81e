import type { IdempotencyRecord } from '../idempotency/idempotency-record.js';
import type { HttpContext } from './request-context.js';
import { writeReply } from './relay-reply.js';
import { bodiless, responseHead } from './response-head.js';

/**
 * A stored answer, sent again: its status, its kept headers and body, with this request's own
 * headers (route security headers, RateLimit, X-Request-Id) made as for a live answer, and
 * `Idempotent-Replayed: true` so the client can tell it did not reach the backend this time.
 * It is coded as a live answer would be for this request (relay-reply.ts writeReply: gzip or br
 * from this request's Accept-Encoding, Vary, the weakened ETag), since the record keeps the
 * identity bytes. The record has no Content-Length (made anew): the body's own length stands in,
 * so `minBytes` and the one-call coding of small bodies apply as for a backend that sent one.
 */
export function writeReplay(ctx: HttpContext, record: Extract<IdempotencyRecord, { state: 'done' }>): Promise<void> {
  const headers = bodiless(ctx.req.method!, record.status) ? record.headers : { ...record.headers, 'content-length': String(record.body.length) };
  const head = responseHead(ctx, record.status, headers);
  head.push('idempotent-replayed', 'true');
  ctx.reason = 'idempotency.replayed';
  return writeReply(ctx, { status: record.status, headers, body: record.body, rest: null }, head);
}

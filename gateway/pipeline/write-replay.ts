import type { IdempotencyRecord } from '../idempotency/idempotency-record.js';
import type { HttpContext } from './request-context.js';
import { bodiless, responseHead } from './response-head.js';

/**
 * A stored answer, sent again: its status, its kept headers and body, with this request's own
 * headers (route security headers, RateLimit, X-Request-Id) made as for a live answer, and
 * `Idempotent-Replayed: true` so the client can tell it did not reach the backend this time.
 */
export function writeReplay(ctx: HttpContext, record: Extract<IdempotencyRecord, { state: 'done' }>): void {
  const head = responseHead(ctx, record.status, record.headers);
  head.push('idempotent-replayed', 'true');
  const empty = bodiless(ctx.req.method!, record.status);
  if (!empty) head.push('content-length', String(record.body.length));
  ctx.reason = 'idempotency.replayed';
  ctx.res.writeHead(record.status, head);
  ctx.res.end(empty ? undefined : record.body);
}

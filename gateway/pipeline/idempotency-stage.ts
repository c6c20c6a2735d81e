import type { CompiledRoute } from '../config/compile-config.js';
import type { RouteIdempotency } from '../config/schema/idempotency.js';
import { GatewayError } from '../errors.js';
import { createIdempotencyLedger } from '../idempotency/idempotency-ledger.js';
import { replayableHeaders, type IdempotencyRecord } from '../idempotency/idempotency-record.js';
import { readIdempotencyKey } from '../idempotency/read-idempotency-key.js';
import { recordKey } from '../idempotency/record-key.js';
import { requestFingerprint } from '../idempotency/request-fingerprint.js';
import type { Store } from '../store/store.js';
import type { BackendReply } from '../upstream/backend-exchange.js';
import { readWholeBody } from './read-whole-body.js';
import type { HttpContext, ReplyHook, Stage } from './request-context.js';
import { writeReplay } from './write-replay.js';

/**
 * Idempotency-Key (draft-ietf-httpapi-idempotency-key-header) on routes that enable it: a
 * request with a key is forwarded once per caller and key within the window. The first claims
 * the key in the store and its answer is kept (a reply hook, before the client sees it); a
 * repeat gets that answer again, 409 while the first is outstanding, 422 with another body.
 * After the rate limit, so repeats are counted; request chains only (a handshake is a GET).
 */
export function createIdempotencyStage(route: CompiledRoute, o: RouteIdempotency, store: Store): Stage<HttpContext> {
  const ledger = createIdempotencyLedger(store);

  return async (ctx, next) => {
    const { req } = ctx;
    if (!o.methods.has(req.method!)) return next();
    const field = readIdempotencyKey(req.headersDistinct['idempotency-key'], o.maxKeyLength);
    if (field.kind === 'invalid') throw new GatewayError('idempotency.key_invalid', field.detail);
    if (field.kind === 'absent') {
      if (o.required) throw new GatewayError('idempotency.key_missing', `this route needs an Idempotency-Key header on ${req.method} requests`);
      return next();
    }
    // The config allows idempotency only where auth is required: the authenticate stage has set it.
    if (ctx.principal === null) throw new Error('internal: idempotency stage without a principal');

    const body = await readWholeBody(req, route.bodyLimit);
    ctx.bufferedBody = body;
    const fingerprint = requestFingerprint({ method: req.method!, path: ctx.path, query: ctx.query, contentType: req.headers['content-type'], body });
    const key = recordKey(ctx.principal, field.key);

    let claim;
    try {
      claim = await ledger.claim(key, fingerprint, o.leaseMs);
    } catch (err) {
      // Forwarding without the check can place an order twice; the operator chooses that, not a default.
      if (o.onStoreError === 'forward') return next();
      throw new GatewayError('idempotency.store_unavailable', undefined, { cause: err, headers: { 'retry-after': '1' } });
    }
    if (claim.kind === 'found') return answerRepeat(ctx, claim.record, fingerprint);

    const { owner } = claim;
    const release = () => ledger.release(key, owner).catch(() => {}); // the lease ends it otherwise
    const hook: ReplyHook = {
      bufferUpTo: o.maxBodyBytes,
      async beforeClient(reply) {
        if (notDone(reply.status)) return release();
        // The backend has acted: its answer goes to the client even when it cannot be kept (the
        // claim then blocks repeats with 409 until its lease ends, after which they are forwarded).
        await ledger.complete(key, outcome(reply, fingerprint, o.maxBodyBytes), o.windowMs).catch(() => {});
      },
    };
    (ctx.replyHooks ??= []).push(hook);
    try {
      await next();
    } catch (err) {
      // No answer from the backend (refused, reset, timed out): the client may retry with this key.
      await release();
      throw err;
    }
  };
}

/**
 * Answers the backend gives without having done the request, or that ask for a retry: 5xx, 408,
 * 425 and 429. Keeping one would answer every retry within the window with it; releasing lets
 * the retry through (an order the backend did place before a 5xx is placed again: documented).
 */
function notDone(status: number): boolean {
  return status >= 500 || status === 408 || status === 425 || status === 429;
}

function outcome(reply: BackendReply, fingerprint: string, maxBodyBytes: number): IdempotencyRecord {
  // Another hook may have read more than this route keeps.
  if (reply.rest !== null || reply.body.length > maxBodyBytes) return { state: 'too-large', fingerprint, status: reply.status };
  return { state: 'done', fingerprint, status: reply.status, headers: replayableHeaders(reply.headers), body: reply.body };
}

function answerRepeat(ctx: HttpContext, record: IdempotencyRecord, fingerprint: string): Promise<void> {
  if (record.fingerprint !== fingerprint) {
    throw new GatewayError('idempotency.body_mismatch', 'this Idempotency-Key was used with another request (method, path, query, Content-Type or body); use a new key for a new request');
  }
  if (record.state === 'in-flight') {
    throw new GatewayError('idempotency.in_flight', 'a request with this Idempotency-Key is still being processed; retry later', { headers: { 'retry-after': '1' } });
  }
  if (record.state === 'too-large') {
    throw new GatewayError('idempotency.not_replayable', `a request with this Idempotency-Key was already processed (status ${record.status}); its response was too large to keep, so it cannot be sent again`);
  }
  return writeReplay(ctx, record);
}

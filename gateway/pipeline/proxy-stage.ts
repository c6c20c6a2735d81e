import { Writable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { compressInto } from '../compression/compress-stream.js';
import { prepareEncoding } from '../compression/prepare-encoding.js';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import { RESENDABLE_METHODS } from '../upstream/backend-exchange.js';
import { limitedBody } from '../upstream/limit-body.js';
import { headerPolicyFor } from '../upstream/header-policy.js';
import { identityHeaderNames } from '../upstream/identity-headers.js';
import { isFailureStatus, isTargetFailure, resendTo, translateUpstreamError } from '../upstream/translate-error.js';
import { GatewayError } from '../errors.js';
import type { TargetLease, UpstreamClient } from '../upstream/upstream-client.js';
import { backendHeaders } from './backend-headers.js';
import type { HttpContext, Stage } from './request-context.js';
import { relayReply } from './relay-reply.js';
import { responseHead } from './response-head.js';


/**
 * The terminal stage: stream the request to the backend and its response back. Never calls
 * `next`. A response that fails after its headers were sent is aborted, never ended as if whole.
 */
export function createProxyStage(route: CompiledRoute, config: GatewayConfig, upstream: UpstreamClient): Stage<HttpContext> {
  const names = identityHeaderNames(config);
  const policy = headerPolicyFor(route, config);
  const upstreamHost = upstream.config.preserveHost ? null : upstream.host;
  const retry = upstream.config.retryIdempotent;

  return (ctx) => new Promise<void>((resolve, reject) => {
    const { req, res } = ctx;
    const headers = backendHeaders(ctx, upstreamHost, names, policy);
    if (ctx.replyHooks !== null) return resolve(relayReply(ctx, upstream, headers, retry));
    // Every target ejected or down: say so now rather than wait on a timeout.
    const first = upstream.acquire();
    if (first === null) return reject(new GatewayError('upstream.no_healthy_target'));
    let lease: TargetLease = first;
    const body = limitedBody(req, route.bodyLimit);
    const options: Dispatcher.RequestOptions<HttpContext> = {
      path: ctx.path + ctx.query,
      method: req.method as Dispatcher.HttpMethod,
      headers,
      body,
      headersTimeout: route.headersTimeout,
      bodyTimeout: route.bodyTimeout,
      opaque: ctx,
    };
    // RFC 9110 9.2.2: only a body-less request without side effects may be sent twice, and only
    // when it failed before any answer (a request with a body may have reached a target).
    const canRetry = retry && body === null && RESENDABLE_METHODS.has(req.method!);
    const sentAt = performance.now();
    let retried = false;

    const onDone = (err: Error | null) => {
      ctx.upstreamMs = performance.now() - sentAt;
      // A response already ended is whole (a 204/304 whose Content-Length undici still counted).
      if (err === null || res.writableEnded) {
        lease.done(answeredFailing.has(ctx));
        return resolve();
      }
      lease.done(isTargetFailure(err));
      if (res.headersSent || res.destroyed) {
        // Mid-body failure: abort so the client sees a broken response, not a short complete one.
        ctx.reason = translateUpstreamError(err).code;
        res.destroy();
        return resolve();
      }
      // The backend answered, but its coded body was still being collected (its head waits for
      // it): nothing reached the client, so the failure is answered like one before the head.
      // Never resent: a retry is for a connection that died before any answer.
      if (answeredUnsent.has(ctx)) return reject(translateUpstreamError(err));
      const where = canRetry && !retried ? resendTo(err) : null;
      const again = where === null ? null : upstream.acquire(lease.target) ?? (where === 'other-or-same' ? upstream.acquire() : null);
      if (again !== null) {
        retried = true;
        lease = again;
        return again.target.pool.stream(options, writeResponseHead, onDone);
      }
      reject(translateUpstreamError(err));
    };
    lease.target.pool.stream(options, writeResponseHead, onDone);
  });
}

/** Requests the target answered with 502/503/504: a failure for its passive health. */
const answeredFailing = new WeakSet<HttpContext>();

/**
 * Requests whose backend has answered while their head is not written yet (a coded body being
 * collected, compress-stream.ts): the only way `headersSent` is false after the answer. Only
 * coded responses are added, so the hot path pays nothing.
 */
const answeredUnsent = new WeakSet<HttpContext>();

/** Shared by every request (the context rides in `opaque`), so no closure is made per response. */
function writeResponseHead(data: Dispatcher.StreamFactoryData<HttpContext>) {
  const ctx = data.opaque;
  if (isFailureStatus(data.statusCode)) answeredFailing.add(ctx);
  const out = responseHead(ctx, data.statusCode, data.headers);
  const compression = ctx.route!.compression;
  const coding = compression === null ? null : prepareEncoding(ctx.req, data.statusCode, data.headers, out, compression);
  if (coding !== null) {
    // A coded body goes through a compressor, which writes the head (compression/compress-stream.ts).
    const sink = compressInto(ctx.res, data.statusCode, out, coding, compression!, data.headers['content-length']);
    if (!ctx.res.headersSent) answeredUnsent.add(ctx);
    return sink;
  }
  ctx.res.writeHead(data.statusCode, out);
  if (data.statusCode === 204 || data.statusCode === 304) {
    // RFC 9110 6.4.1: no content, whatever Content-Length says (a 304 may carry the GET's, 8.6;
    // a 204 must not carry one at all, so it is not passed on). undici 7 still counts those bytes
    // and fails the stream, which would abort the client's reply: the head is the whole answer,
    // and undici drains into a sink of its own.
    ctx.res.end();
    return new Writable({ write: (_chunk, _encoding, done) => done() });
  }
  return ctx.res;
}

import { Writable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { compressInto } from '../compression/compress-stream.js';
import { prepareEncoding } from '../compression/prepare-encoding.js';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import { limitedBody } from '../upstream/limit-body.js';
import { headerPolicyFor } from '../upstream/header-policy.js';
import { identityHeaderNames } from '../upstream/identity-headers.js';
import { filterResponseHeaders } from '../upstream/response-headers.js';
import { isRetryableConnectionError, translateUpstreamError } from '../upstream/translate-error.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import { backendHeaders } from './backend-headers.js';
import type { HttpContext, Stage } from './request-context.js';

// RFC 9110 9.2.2, narrowed: only methods without side effects are ever sent twice.
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The terminal stage: stream the request to the backend and its response back. Never calls
 * `next`. A response that fails after its headers were sent is aborted, never ended as if whole.
 */
export function createProxyStage(route: CompiledRoute, config: GatewayConfig, upstream: UpstreamClient): Stage<HttpContext> {
  const names = identityHeaderNames(config);
  const policy = headerPolicyFor(route, config);
  const upstreamHost = config.upstream.preserveHost ? null : upstream.host;
  const retry = config.upstream.retryIdempotent;

  return (ctx) => new Promise<void>((resolve, reject) => {
    const { req, res } = ctx;
    const headers = backendHeaders(ctx, upstreamHost, names, policy);
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
    const canRetry = retry && body === null && RETRYABLE_METHODS.has(req.method!);
    const sentAt = performance.now();
    let retried = false;

    const onDone = (err: Error | null) => {
      ctx.upstreamMs = performance.now() - sentAt;
      // A response already ended is whole (a 204/304 whose Content-Length undici still counted).
      if (err === null || res.writableEnded) return resolve();
      if (res.headersSent || res.destroyed) {
        // Mid-body failure: abort so the client sees a broken response, not a short complete one.
        ctx.reason = translateUpstreamError(err).code;
        res.destroy();
        return resolve();
      }
      if (canRetry && !retried && isRetryableConnectionError(err)) {
        retried = true;
        return upstream.pool.stream(options, writeResponseHead, onDone);
      }
      reject(translateUpstreamError(err));
    };
    upstream.pool.stream(options, writeResponseHead, onDone);
  });
}

/** Shared by every request (the context rides in `opaque`), so no closure is made per response. */
function writeResponseHead(data: Dispatcher.StreamFactoryData<HttpContext>) {
  const ctx = data.opaque;
  const route = ctx.route!;
  const out = filterResponseHeaders(data.headers, route.responseDrop, []);
  for (const h of route.responseHeaders) out.push(h);
  if (ctx.extraHeaders) for (const h of ctx.extraHeaders) out.push(h);
  // Only when the client would otherwise get none (an empty field is none): what the backend says stands.
  if (route.defaultCacheControl !== null && (!data.headers['cache-control'] || route.responseDrop.has('cache-control'))) {
    if (data.headers['cache-control'] === '') dropField(out, 'cache-control');
    out.push('cache-control', route.defaultCacheControl);
  }
  out.push('x-request-id', ctx.requestId);
  if (data.statusCode === 204) dropField(out, 'content-length');
  const compression = route.compression;
  const coding = compression === null ? null : prepareEncoding(ctx.req, data.statusCode, data.headers, out, compression);
  ctx.res.writeHead(data.statusCode, out);
  if (data.statusCode === 204 || data.statusCode === 304) {
    // RFC 9110 6.4.1: no content, whatever Content-Length says (a 304 may carry the GET's, 8.6;
    // a 204 must not carry one at all, so it is not passed on). undici 7 still counts those bytes
    // and fails the stream, which would abort the client's reply: the head is the whole answer,
    // and undici drains into a sink of its own.
    ctx.res.end();
    return new Writable({ write: (_chunk, _encoding, done) => done() });
  }
  // A coded body goes through a compressor piped to the client (compression/compress-stream.ts).
  return coding === null ? ctx.res : compressInto(ctx.res, coding, compression!, data.headers['content-length']);
}

/** Removes a field from a flat [name, value, ...] list (rare: an empty field a default replaces, a 204's length). */
function dropField(flat: string[], name: string): void {
  for (let i = flat.length - 2; i >= 0; i -= 2) if (flat[i] === name) flat.splice(i, 2);
}

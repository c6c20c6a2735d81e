import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compressInto } from '../compression/compress-stream.js';
import { prepareEncoding } from '../compression/prepare-encoding.js';
import { exchange, RESENDABLE_METHODS, type BackendReply } from '../upstream/backend-exchange.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import { limitedBody } from '../upstream/limit-body.js';
import { translateUpstreamError } from '../upstream/translate-error.js';
import type { HttpContext } from './request-context.js';
import { bodiless, responseHead } from './response-head.js';

/**
 * The proxy's path when stages asked to see the answer first (ctx.replyHooks): the backend's
 * answer is read (up to what the hooks need), the hooks run, and only then does the client get it.
 */
export async function relayReply(ctx: HttpContext, upstream: UpstreamClient, headers: string[], retryIdempotent: boolean): Promise<void> {
  const route = ctx.route!;
  const method = ctx.req.method!;
  const hooks = ctx.replyHooks!;
  let bufferUpTo = 0;
  for (const h of hooks) bufferUpTo = Math.max(bufferUpTo, h.bufferUpTo);
  const body = ctx.bufferedBody ?? limitedBody(ctx.req, route.bodyLimit);
  const sentAt = performance.now();
  let reply: BackendReply;
  try {
    reply = await exchange(upstream, {
      path: ctx.path + ctx.query, method, headers, body,
      headersTimeout: route.headersTimeout, bodyTimeout: route.bodyTimeout,
      bufferUpTo, retry: retryIdempotent && RESENDABLE_METHODS.has(method),
    });
  } finally {
    ctx.upstreamMs = performance.now() - sentAt;
  }
  try {
    for (const h of hooks) await h.beforeClient(reply, ctx);
  } catch (err) {
    reply.rest?.destroy();
    throw err;
  }
  await writeReply(ctx, reply, responseHead(ctx, reply.status, reply.headers));
}

/**
 * Writes a reply read with `exchange` (or kept, write-replay.ts), coded as the streamed proxy
 * would code it for this request (gzip/br on routes that compress). A remainder that fails
 * mid-way aborts the client's response once its head has left; a coded body collected whole has
 * sent nothing yet (compress-stream.ts), so that failure is thrown, to be answered as an error.
 */
export async function writeReply(ctx: HttpContext, reply: BackendReply, head: string[]): Promise<void> {
  const { res } = ctx;
  const settings = ctx.route!.compression;
  const coding = settings === null ? null : prepareEncoding(ctx.req, reply.status, reply.headers, head, settings);
  let sink: Writable;
  if (coding !== null) sink = compressInto(res, reply.status, head, coding, settings!, reply.headers['content-length']);
  else {
    res.writeHead(reply.status, head);
    if (bodiless(ctx.req.method!, reply.status)) {
      reply.rest?.destroy();
      res.end();
      return;
    }
    sink = res;
  }
  if (reply.rest === null) {
    sink.end(reply.body);
    return;
  }
  sink.write(reply.body);
  try {
    await pipeline(reply.rest, sink);
  } catch (err) {
    if (!res.headersSent && !res.destroyed) throw translateUpstreamError(err);
    ctx.reason = 'upstream.connection_reset';
    res.destroy();
  }
}

import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { GatewayError } from '../errors.js';
import { isFailureStatus, isTargetFailure, resendTo, translateUpstreamError } from './translate-error.js';
import type { UpstreamClient } from './upstream-client.js';

// RFC 9110 9.2.2, narrowed: only methods without side effects are ever sent twice.
export const RESENDABLE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ExchangeOptions {
  path: string;
  method: string;
  headers: string[];
  body: Buffer | Readable | null;
  headersTimeout: number;
  bodyTimeout: number;
  /** Read at most this many body bytes into `body`; the rest stays in `rest`, unread. */
  bufferUpTo: number;
  /** Resend once on a connection that died before any answer (only for requests without a body). */
  retry: boolean;
}

/** The backend's answer, read whole when it fits: what the cache and idempotency keys store. */
export interface BackendReply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, or its first `bufferUpTo`+ bytes when `rest` is not null. */
  body: Buffer;
  /** The unread remainder of a body larger than `bufferUpTo`; the caller must consume or destroy it. */
  rest: Readable | null;
}

/**
 * One request to the backend, answered as a value instead of streamed to a client: for callers
 * that must see the whole answer before the client does (to store it, or to invalidate before
 * the client can read stale data). Errors are thrown translated (GatewayError), before any byte
 * reached a client.
 */
export async function exchange(upstream: UpstreamClient, o: ExchangeOptions): Promise<BackendReply> {
  const options: Dispatcher.RequestOptions = {
    path: o.path,
    method: o.method as Dispatcher.HttpMethod,
    headers: o.headers,
    body: o.body,
    headersTimeout: o.headersTimeout,
    bodyTimeout: o.bodyTimeout,
  };
  let lease = upstream.acquire();
  if (lease === null) throw new GatewayError('upstream.no_healthy_target');
  let answer: Dispatcher.ResponseData;
  try {
    answer = await lease.target.pool.request(options);
  } catch (err) {
    lease.done(isTargetFailure(err));
    // The streamed proxy's rule (pipeline/proxy-stage.ts): once, body-less, before any answer.
    const where = o.retry && o.body === null ? resendTo(err) : null;
    const again = where === null ? null : upstream.acquire(lease.target) ?? (where === 'other-or-same' ? upstream.acquire() : null);
    if (again === null) throw translateUpstreamError(err);
    lease = again;
    try {
      answer = await lease.target.pool.request(options);
    } catch (err2) {
      lease.done(isTargetFailure(err2));
      throw translateUpstreamError(err2);
    }
  }
  lease.done(isFailureStatus(answer.statusCode));
  if (o.method === 'HEAD' || answer.statusCode === 204 || answer.statusCode === 304) {
    // RFC 9110 6.4.1, 9.3.2: no content, whatever Content-Length says (a 304 may carry the
    // GET's, 8.6). undici 7 still counts toward it and fails the drained body with
    // UND_ERR_RES_CONTENT_LENGTH_MISMATCH: that says nothing about this answer, which is whole.
    // (The streamed proxy does the same: pipeline/proxy-stage.ts writeResponseHead.)
    answer.body.on('error', ignore);
    answer.body.resume();
    return { status: answer.statusCode, headers: answer.headers as IncomingHttpHeaders, body: EMPTY, rest: null };
  }
  const { body, rest } = await readUpTo(answer.body, o.bufferUpTo);
  return { status: answer.statusCode, headers: answer.headers as IncomingHttpHeaders, body, rest };
}

const EMPTY = Buffer.alloc(0);
const ignore = () => {};

/** Reads until the end or past `limit`; then hands back the stream, paused, with what was read. */
function readUpTo(stream: Readable, limit: number): Promise<{ body: Buffer; rest: Readable | null }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        stream.pause();
        done();
        resolve({ body: Buffer.concat(chunks, size), rest: stream });
      }
    };
    const onEnd = () => {
      done();
      resolve({ body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), rest: null });
    };
    const onError = (err: Error) => {
      done();
      reject(translateUpstreamError(err));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}

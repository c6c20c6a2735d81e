import type { ServerResponse } from 'node:http';
import type { Transform, Writable } from 'node:stream';
import { createBrotliCompress, createGzip } from 'node:zlib';
import type { CompressionConfig } from '../config/schema/compression.js';
import { brotliOptions } from './coding-options.js';
import type { Coding } from './negotiate-encoding.js';
import { WholeBodyCompressor } from './whole-body-compressor.js';

type Levels = Pick<CompressionConfig, 'gzipLevel' | 'brotliQuality'>;

/**
 * Bodies up to this Content-Length are collected and coded in one call (whole-body-compressor.ts):
 * measured through the gateway, a 2 KB gzip response went from 40% to about 60% of the identity
 * throughput, because its head, body and last chunk leave in one TLS write. Larger or unknown
 * lengths stream: memory stays bounded whatever the size.
 */
const WHOLE_BODY_MAX = 64 * 1024;

/**
 * A streaming compressor at the route's (fast) levels. Measured here on JSON, per response:
 * 2 KB costs about 50-100 µs whatever the gzip level, or brotli 4 (set-up and the thread-pool
 * round trip dominate); at 128 KB gzip 1 takes 0.35 ms, gzip 6 0.8 ms, brotli 4 0.7 ms,
 * brotli 11 110 ms.
 */
export function createCompressor(coding: Coding, levels: Levels, sizeHint: number | undefined): Transform {
  return coding === 'gzip' ? createGzip({ level: levels.gzipLevel }) : createBrotliCompress(brotliOptions(levels.brotliQuality, sizeHint));
}

/**
 * The Writable the backend's body is written into when the response is coded; it writes the
 * response's head too (`status`, `fields` already made for the coded body by prepareEncoding):
 * - streamed, at once: the first coded bytes leave before the backend's last ones;
 * - collected (WholeBodyCompressor), only with the coded body. Until then nothing has reached
 *   the client, so `res.headersSent` stays false and a backend failing mid-body is still
 *   answered as a failure before the head (502), not with an empty reply.
 * Failures keep the proxy's semantics otherwise:
 * - the backend fails mid-body: undici destroys this Writable with the error and reports it;
 *   the proxy stage then destroys a `res` whose head was sent (an aborted response, never one
 *   ended as if whole): neither path ends `res` for a destroyed compressor (pipe ends it only
 *   on 'end').
 * - the client goes away: the compressor is destroyed, undici sees a premature close and drops
 *   the backend request, as it does when it writes to `res` directly.
 * Streamed, backpressure holds both ways: a slow client fills `res`, pipe stops reading the
 * compressor, whose write() then returns false, and undici pauses the backend socket.
 */
export function compressInto(
  res: ServerResponse, status: number, fields: string[], coding: Coding, levels: Levels, contentLength: string | readonly string[] | undefined,
): Writable {
  const length = typeof contentLength === 'string' ? Number(contentLength) : NaN;
  const known = Number.isSafeInteger(length) && length >= 0;
  if (known && length <= WHOLE_BODY_MAX) {
    const collector = new WholeBodyCompressor(res, status, fields, coding, levels, length);
    collector.on('error', ignore);
    res.once('close', () => collector.destroy());
    return collector;
  }
  res.writeHead(status, fields);
  const compressor = createCompressor(coding, levels, known ? length : undefined);
  // undici's finished() sees the error and reports it to the proxy stage; nothing else to do here.
  compressor.on('error', ignore);
  compressor.pipe(res).once('close', () => compressor.destroy());
  return compressor;
}

function ignore(): void {}

import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { GatewayError } from '../errors.js';

/**
 * The request body as a stream the backend can read, never buffered. A declared
 * Content-Length over the limit is refused before anything is sent; a chunked body is counted
 * as it flows and cut with 413 at the limit.
 */
export function limitedBody(req: IncomingMessage, limit: number): IncomingMessage | Transform | null {
  const length = req.headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    if (n > limit) throw new GatewayError('request.body_too_large', `the body is ${n} bytes; this route accepts at most ${limit}`);
    return n === 0 ? null : req;
  }
  if (req.headers['transfer-encoding'] === undefined) return null;
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) {
        // Read and drop the rest (bounded by requestTimeout) so the 413 reaches the client and the
        // unread chunks are not parsed as a next request on this connection.
        req.unpipe(counter);
        req.resume();
        done(new GatewayError('request.body_too_large', `the body is over ${limit} bytes, the limit of this route`));
      } else done(null, chunk);
    },
  });
  req.on('error', (err) => counter.destroy(err));
  return req.pipe(counter);
}

import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors.js';

const EMPTY = Buffer.alloc(0);

/**
 * The request body in hand, for a stage that must see all of it before the backend does
 * (idempotency keys hash it). Bounded as the proxy's stream is (upstream/limit-body.ts): a
 * declared length over the limit is refused before reading, a chunked body at the limit. The
 * rest of an oversized chunked body is read and dropped so the 413 reaches the client.
 */
export function readWholeBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const length = req.headers['content-length'];
  if (length !== undefined && Number(length) > limit) {
    return Promise.reject(new GatewayError('request.body_too_large', `the body is ${Number(length)} bytes; this route accepts at most ${limit}`));
  }
  if (length === undefined && req.headers['transfer-encoding'] === undefined) return Promise.resolve(EMPTY);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      done();
      req.resume();
      reject(new GatewayError('request.body_too_large', `the body is over ${limit} bytes, the limit of this route`));
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      done();
      reject(new GatewayError('request.malformed', 'the request body could not be read', { cause: err }));
    };
    // The client went away (or Node ended the request, e.g. requestTimeout) before the last byte.
    const onClose = () => {
      if (req.complete) return;
      done();
      reject(new GatewayError('request.malformed', 'the request body ended before its declared length'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

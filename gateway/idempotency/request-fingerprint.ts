import { createHash } from 'node:crypto';

export interface FingerprintInput {
  method: string;
  /** The normalized path: the one routing and the backend see. */
  path: string;
  /** The query as sent, `?` included ('' without one): a different order is a different request. */
  query: string;
  /** The body's media type: the same bytes as JSON or as a form are not the same request. */
  contentType: string | undefined;
  body: Buffer;
}

/**
 * What "the same request" means for a repeated key (draft-ietf-httpapi-idempotency-key-header,
 * "Idempotency Fingerprint": a checksum of the entire payload): SHA-256 over the method, path,
 * query, Content-Type and the body bytes, each length-prefixed so no two inputs run together.
 * Other headers (Authorization, a new request id, Date) may differ between a request and its retry.
 */
export function requestFingerprint(r: FingerprintInput): string {
  const hash = createHash('sha256');
  for (const part of [r.method, r.path, r.query, r.contentType ?? '']) hash.update(`${Buffer.byteLength(part)}:${part}\n`);
  hash.update(`${r.body.length}:`);
  hash.update(r.body);
  return hash.digest('base64url');
}

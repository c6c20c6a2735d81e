import { randomUUID } from 'node:crypto';

// Bounded length and a charset that cannot smuggle anything into logs or headers.
const VALID_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Keep a client's X-Request-Id when it is well-formed, otherwise make a new one. */
export function requestIdFrom(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && VALID_ID.test(incoming) ? incoming : randomUUID();
}

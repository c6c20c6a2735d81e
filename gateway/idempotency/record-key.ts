import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.js';

/**
 * The store key for one caller's key: `idem:` and a SHA-256 of the two, so the client's string
 * (up to maxKeyLength of its choosing) is never a store key of its own, and two callers using
 * one key never meet. A user, an API key and an identity provider's subject of the same name
 * are three callers.
 */
export function recordKey(principal: Principal, key: string): string {
  const who = principal.method === 'apiKey' ? 'k' : principal.token?.external ? 'x' : 'u';
  const hash = createHash('sha256').update(`${who}:${principal.id.length}:${principal.id}\n`).update(key).digest('base64url');
  return `idem:${hash}`;
}

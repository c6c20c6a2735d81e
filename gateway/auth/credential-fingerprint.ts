import { createHash } from 'node:crypto';

/**
 * Which credential a session was opened with: a digest of the user's stored argon2 hash, whose
 * random salt makes it change on every `users passwd` and on a remove-then-add of the same
 * name. Kept in the session record, never in a token; a refresh from an older credential ends
 * the session (refresh-rotation.ts).
 */
export function credentialFingerprint(storedHash: string): string {
  return createHash('sha256').update(storedHash).digest('base64url').slice(0, 22);
}

import type { Store } from '../store/store.js';
import { keyHmac } from './api-keys.js';
import { DIRECTORY_KEYS, KEY_SECRET_FIELD } from './store-directory.js';

/**
 * Which auth.apiKeys.secret the store's keys were made with: an HMAC of a fixed label under the
 * secret, never the secret. An instance or a CLI with another secret would make or check every
 * key against HMACs that can never match (every key 401, with nothing in the log to say why);
 * with this beside the keys, both can say so.
 */
export function keySecretFingerprint(secret: string): string {
  return keyHmac(secret, DIRECTORY_KEYS.keySecret);
}

/** What the store says of a secret: its keys' ('mine'), another's ('other'), or nothing to go by. */
export type SecretClaim = 'mine' | 'other' | 'unchecked';

/**
 * Before keys are written (create, import): the fingerprint the store keeps decides. With none,
 * this secret's is recorded (HSETNX: of two writers at once, one wins) only when the store has no
 * keys yet: keys already there (from before fingerprints) may have been made with another secret,
 * and recording this one would lock out the operator who has the right one ('unchecked').
 */
export async function claimKeySecret(store: Store, secret: string, keysExist: boolean): Promise<SecretClaim> {
  const mine = keySecretFingerprint(secret);
  const stored = async () => (await store.hashGet(DIRECTORY_KEYS.keySecret, KEY_SECRET_FIELD))?.toString();
  const before = await stored();
  if (before !== undefined) return before === mine ? 'mine' : 'other';
  if (keysExist) return 'unchecked';
  await store.multi([{ op: 'hset', key: DIRECTORY_KEYS.keySecret, field: KEY_SECRET_FIELD, value: mine, ifAbsent: true }]);
  return (await stored()) === mine ? 'mine' : 'other';
}

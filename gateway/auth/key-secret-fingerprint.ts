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

/**
 * Before keys are written (create, import): records this secret's fingerprint if the store has
 * none (HSETNX: of two writers at once, one wins), then reads back the one the store keeps.
 * false when that is another secret's: nothing may be written with this one.
 */
export async function claimKeySecret(store: Store, secret: string): Promise<boolean> {
  const mine = keySecretFingerprint(secret);
  await store.multi([{ op: 'hset', key: DIRECTORY_KEYS.keySecret, field: KEY_SECRET_FIELD, value: mine, ifAbsent: true }]);
  const stored = (await store.hashGetAll(DIRECTORY_KEYS.keySecret)).get(KEY_SECRET_FIELD)?.toString();
  return stored === mine;
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { stringify } from 'yaml';
import { z } from 'zod';
import { writeFileAtomically } from '../files/atomic-write.js';
import { readYamlFile } from '../files/yaml-file.js';
import { recordRoles } from './record-roles.js';

/**
 * API keys look like `gwk_<id>_<secret>`: the prefix makes a leaked key recognisable to secret
 * scanners, the id finds the record, and only HMAC-SHA-256(server secret, whole key) is
 * stored, so the keys file alone reveals nothing usable.
 */
const PREFIX = 'gwk_';
const KEY_SHAPE = /^gwk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export const apiKeyRecordSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]{12}$/),
  name: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/),
  roles: recordRoles,
  hmac: z.string().regex(/^[0-9a-f]{64}$/),
  created: z.string(),
  expires: z.string().optional(),
});
const fileSchema = z.strictObject({ keys: z.array(apiKeyRecordSchema).default([]) });
export type ApiKeyRecord = z.output<typeof apiKeyRecordSchema>;

export function readKeysFile(file: string): ApiKeyRecord[] {
  return readYamlFile(file, fileSchema).keys;
}

export function writeKeysFile(file: string, keys: readonly ApiKeyRecord[]): void {
  writeFileAtomically(file, `# Managed by "gateway keys"; only keyed hashes, never keys.\n${stringify({ keys })}`);
}

export function keyHmac(secret: string, key: string): string {
  return createHmac('sha256', secret).update(key).digest('hex');
}

/** A new key and the record to store for it. The key itself is shown once and never kept. */
export function newApiKey(secret: string, name: string, roles: string[], expiresAt: Date | undefined, now = new Date()): { key: string; record: ApiKeyRecord } {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const id = Array.from(randomBytes(12), (b) => alphabet[b % 36]).join('');
  const key = `${PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  return {
    key,
    record: { id, name, roles, hmac: keyHmac(secret, key), created: now.toISOString(), ...(expiresAt ? { expires: expiresAt.toISOString() } : {}) },
  };
}

/** Whether a credential is meant as one of our API keys (the prefix), whatever else it gets wrong. */
export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith(PREFIX);
}

export type KeyCheck = { ok: true; record: ApiKeyRecord } | { ok: false; reason: 'malformed' | 'unknown' | 'expired' };

export function checkApiKey(key: string, secret: string, byId: ReadonlyMap<string, ApiKeyRecord>, now = Date.now()): KeyCheck {
  const m = KEY_SHAPE.exec(key);
  if (!m) return { ok: false, reason: 'malformed' };
  const record = byId.get(m[1]!);
  if (!record) return { ok: false, reason: 'unknown' };
  const expected = Buffer.from(record.hmac, 'hex');
  if (!timingSafeEqual(expected, Buffer.from(keyHmac(secret, key), 'hex'))) return { ok: false, reason: 'unknown' };
  if (record.expires && Date.parse(record.expires) <= now) return { ok: false, reason: 'expired' };
  return { ok: true, record };
}

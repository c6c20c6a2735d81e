import { existsSync } from 'node:fs';
import { newApiKey, readKeysFile, type ApiKeyRecord } from '../auth/api-keys.js';
import type { RecordSet } from '../auth/record-set.js';
import { parseDuration } from '../config/units.js';
import type { SecretClaim } from '../auth/key-secret-fingerprint.js';
import { rolesProblem } from './roles-problem.js';
import { UsageError } from './users-command.js';

export interface KeysCommandOptions {
  /** The keys file, or the store's directory (auth.apiKeys.source: store). */
  records: RecordSet<ApiKeyRecord>;
  /** true when `records` is the store: only then is there somewhere to import into. */
  inStore: boolean;
  /** `create` (and `import` into the store) need it: listing and revoking work on stored hashes alone. */
  secret: string | undefined;
  /**
   * The store only (key-secret-fingerprint.ts): records the secret's fingerprint if none is
   * there and it holds no keys; 'other' when its keys were made with another secret. null for a file.
   */
  claimSecret: ((secret: string, keysExist: boolean) => Promise<SecretClaim>) | null;
  name?: string;
  roles: string[];
  expires?: string;
  replace: boolean;
}

/** gateway keys create|list|revoke|import: the key is printed once; only its keyed hash is stored. */
export async function keysCommand(action: string, positional: string | undefined, o: KeysCommandOptions): Promise<number> {
  const keys = await o.records.list();
  switch (action) {
    case 'list': {
      // An empty list and a mistyped path would look the same.
      const note = o.records.absentNote();
      if (note) process.stderr.write(`gateway keys: ${note}\n`);
      for (const k of keys) process.stdout.write(`${k.name}\tgwk_${k.id}_…\t${k.roles.join(',') || '-'}\tcreated ${k.created}${k.expires ? `\texpires ${k.expires}` : ''}\n`);
      return 0;
    }
    case 'create': {
      const name = o.name ?? positional;
      if (!name) throw new UsageError('gateway keys create --name NAME --role ROLE [--expires 90d]');
      if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) throw new UsageError(`key names are 1-64 of letters, digits, "_", ".", "@", "-" (got ${JSON.stringify(name)})`);
      if (keys.some((k) => k.name === name)) throw new UsageError(`a key named "${name}" exists; revoke it first`);
      const badRoles = rolesProblem(o.roles);
      if (badRoles) throw new UsageError(badRoles);
      const secret = needSecret(o, 'keys create');
      let expiresAt: Date | undefined;
      if (o.expires) {
        const ms = parseDuration(o.expires);
        // 0d would make a key that is expired before anyone can use it.
        if (ms === undefined || ms <= 0) throw new UsageError(`--expires: expected a duration above zero like "90d", got "${o.expires}"`);
        expiresAt = new Date(Date.now() + ms);
        // Past what a Date holds (about 275 000 years) toISOString throws "Invalid time value".
        if (Number.isNaN(expiresAt.getTime())) throw new UsageError(`--expires: "${o.expires}" is further than a date can say; give a duration like "90d", or leave --expires out for a key that does not expire`);
      }
      await claimSecret(o, secret, keys.length > 0);
      const { key, record } = newApiKey(secret, name, o.roles, expiresAt);
      await o.records.apply({ put: [record], create: true });
      process.stderr.write(`created key "${name}" (${o.roles.join(', ')})${expiresAt ? `, expires ${expiresAt.toISOString()}` : ''}. It is shown once:\n`);
      process.stdout.write(`${key}\n`);
      return 0;
    }
    case 'revoke': {
      const name = o.name ?? positional;
      const ids = keys.filter((k) => k.name === name).map((k) => k.id);
      if (!name || ids.length === 0) throw new UsageError(`no key named "${name ?? ''}"`);
      await o.records.apply({ remove: ids });
      process.stdout.write(o.inStore ? `revoked ${name}; every instance refuses it within a second\n` : `revoked ${name}\n`);
      return 0;
    }
    case 'import':
      return importKeys(positional, keys, o);
    default:
      throw new UsageError('gateway keys create|list|revoke|import');
  }
}

/** A keys file's records into the store: a clash (same name or id) refuses the whole import unless --replace. */
async function importKeys(file: string | undefined, existing: readonly ApiKeyRecord[], o: KeysCommandOptions): Promise<number> {
  if (!file) throw new UsageError('gateway keys import FILE [--replace] --config FILE');
  if (!o.inStore) throw new UsageError('keys import moves a keys file into the store: --config FILE must say auth.apiKeys: { source: store, ... }');
  if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
  const incoming = readKeysFile(file);
  await claimSecret(o, needSecret(o, 'keys import'), existing.length > 0);
  const clashing = existing.filter((k) => incoming.some((i) => i.name === k.name || i.id === k.id));
  if (clashing.length > 0 && !o.replace) {
    throw new UsageError(`the store already has ${clashing.map((k) => `"${k.name}"`).sort().join(', ')}; nothing imported (--replace overwrites them)`);
  }
  await o.records.apply({ remove: clashing.map((k) => k.id), put: incoming });
  process.stdout.write(`imported ${incoming.length} key${incoming.length === 1 ? '' : 's'} from ${file}${clashing.length > 0 ? ` (${clashing.length} replaced)` : ''}\n`);
  // The store holds HMACs: only the secret the file's keys were made with recognises them.
  process.stderr.write('the imported keys work only where auth.apiKeys.secret is the one the file was made with\n');
  return 0;
}

function needSecret(o: KeysCommandOptions, what: string): string {
  if (!o.secret || Buffer.byteLength(o.secret) < 32) throw new UsageError(`${what} needs the key secret (auth.apiKeys.secret, or API_KEY_SECRET), at least 32 bytes; npm start keeps the demo's in .demo/secrets.json`);
  return o.secret;
}

/** Refuses to write keys with a secret other than the one the store's keys were made with. */
async function claimSecret(o: KeysCommandOptions, secret: string, keysExist: boolean): Promise<void> {
  const claim = o.claimSecret ? await o.claimSecret(secret, keysExist) : 'mine';
  if (claim === 'mine') return;
  if (claim === 'unchecked') {
    process.stderr.write('warning: the store\'s API keys have no secret fingerprint (made before it was kept), so this command cannot tell whether auth.apiKeys.secret is theirs; none is recorded\n');
    return;
  }
  throw new UsageError('the store\'s API keys were made with another secret than auth.apiKeys.secret here (its fingerprint in auth:{dir}:keysecret differs); nothing written. Give this command the secret the gateways use; keys made with this one would be refused by every gateway');
}

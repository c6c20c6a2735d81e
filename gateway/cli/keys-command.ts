import { existsSync } from 'node:fs';
import { newApiKey, readKeysFile, writeKeysFile } from '../auth/api-keys.js';
import { parseDuration } from '../config/units.js';
import { UsageError } from './users-command.js';

export interface KeysCommandOptions {
  file: string;
  /** Only `create` needs it: listing and revoking work on stored hashes alone. */
  secret: string | undefined;
  name?: string;
  roles: string[];
  expires?: string;
}

/** gateway keys create|list|revoke: the key is printed once; only its keyed hash is stored. */
export async function keysCommand(action: string, positional: string | undefined, o: KeysCommandOptions): Promise<number> {
  const keys = readKeysFile(o.file);
  switch (action) {
    case 'list':
      // An empty list and a mistyped path would look the same.
      if (!existsSync(o.file)) process.stderr.write(`gateway keys: ${o.file} does not exist yet; "gateway keys create" creates it\n`);
      for (const k of keys) process.stdout.write(`${k.name}\tgwk_${k.id}_…\t${k.roles.join(',') || '-'}\tcreated ${k.created}${k.expires ? `\texpires ${k.expires}` : ''}\n`);
      return 0;
    case 'create': {
      const name = o.name ?? positional;
      if (!name) throw new UsageError('gateway keys create --name NAME --role ROLE [--expires 90d]');
      if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) throw new UsageError(`key names are 1-64 of letters, digits, "_", ".", "@", "-" (got ${JSON.stringify(name)})`);
      if (keys.some((k) => k.name === name)) throw new UsageError(`a key named "${name}" exists; revoke it first`);
      if (o.roles.length === 0) throw new UsageError('give at least one --role');
      if (!o.secret || Buffer.byteLength(o.secret) < 32) throw new UsageError('keys create needs the key secret (auth.apiKeys.secret, or API_KEY_SECRET), at least 32 bytes; npm start keeps the demo\'s in .demo/secrets.json');
      let expiresAt: Date | undefined;
      if (o.expires) {
        const ms = parseDuration(o.expires);
        // 0d would make a key that is expired before anyone can use it.
        if (ms === undefined || ms <= 0) throw new UsageError(`--expires: expected a duration above zero like "90d", got "${o.expires}"`);
        expiresAt = new Date(Date.now() + ms);
      }
      const { key, record } = newApiKey(o.secret, name, o.roles, expiresAt);
      writeKeysFile(o.file, [...keys, record]);
      process.stderr.write(`created key "${name}" (${o.roles.join(', ')})${expiresAt ? `, expires ${expiresAt.toISOString()}` : ''}. It is shown once:\n`);
      process.stdout.write(`${key}\n`);
      return 0;
    }
    case 'revoke': {
      const name = o.name ?? positional;
      const rest = keys.filter((k) => k.name !== name);
      if (!name || rest.length === keys.length) throw new UsageError(`no key named "${name ?? ''}"`);
      writeKeysFile(o.file, rest);
      process.stdout.write(`revoked ${name}\n`);
      return 0;
    }
    default:
      throw new UsageError('gateway keys create|list|revoke');
  }
}

import { existsSync } from 'node:fs';
import { createPasswordHasher } from '../auth/password-hasher.js';
import type { RecordSet } from '../auth/record-set.js';
import { readUsersFile, type UserRecord } from '../auth/users-file.js';
import type { Argon2Params } from '../auth/password-hasher.js';
import { MAX_PASSWORD_BYTES, readPassword } from './read-password.js';
import { rolesProblem } from './roles-problem.js';

const MIN_PASSWORD = 12;

export interface UsersCommandOptions {
  /** The users file, or the store's directory (auth.users.source: store). */
  records: RecordSet<UserRecord>;
  argon2: Argon2Params;
  roles: string[];
  replace: boolean;
  /**
   * With the store: ends every session of the user on every instance at once (the revoke-all
   * cut-off of revocation.ts). Null with a file, where the CLI cannot reach the token state.
   */
  endSessions: ((username: string) => Promise<void>) | null;
}

/** gateway users add|remove|list|passwd|import: edits the users file atomically, or the store; running gateways pick it up. */
export async function usersCommand(action: string, name: string | undefined, o: UsersCommandOptions): Promise<number> {
  const users = await o.records.list();
  const need = () => {
    if (!name) throw new UsageError(`gateway users ${action} NAME`);
    return name;
  };
  switch (action) {
    case 'list': {
      // An empty list and a mistyped path would look the same; serve refuses a users file that is not there.
      const note = o.records.absentNote();
      if (note) process.stderr.write(`gateway users: ${note}\n`);
      for (const u of users) process.stdout.write(`${u.username}\t${u.roles.join(',') || '-'}${u.disabled ? '\tdisabled' : ''}\n`);
      return 0;
    }
    case 'add': {
      const username = need();
      if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(username)) throw new UsageError('user names are 1-64 of letters, digits, "_", ".", "@", "-"');
      const exists = () => new UsageError(`user "${username}" exists; use "gateway users passwd"`);
      if (users.some((u) => u.username === username)) throw exists();
      const badRoles = rolesProblem(o.roles);
      if (badRoles) throw new UsageError(badRoles);
      const hash = await newHash(o);
      const { existed } = await o.records.apply({ put: [{ username, roles: o.roles, hash, disabled: false }], create: true });
      if (existed.length > 0) throw exists(); // added meanwhile by someone else
      process.stdout.write(`added ${username} (${o.roles.join(', ')})\n`);
      return 0;
    }
    case 'passwd': {
      const username = need();
      const user = users.find((u) => u.username === username);
      if (!user) throw new UsageError(`no user "${username}"`);
      await o.records.apply({ put: [{ ...user, hash: await newHash(o) }] });
      if (o.endSessions) {
        await o.endSessions(username);
        process.stdout.write(`password changed for ${username}; every session opened with the old one has ended, on every instance\n`);
      } else {
        process.stdout.write(`password changed for ${username}; sessions opened before end at their next refresh, or now with POST /api/auth/revoke\n`);
      }
      return 0;
    }
    case 'remove': {
      const username = need();
      const { removed } = await o.records.apply({ remove: [username] });
      if (removed === 0) throw new UsageError(`no user "${username}"`);
      if (o.endSessions) {
        await o.endSessions(username);
        process.stdout.write(`removed ${username}; their sessions have ended, on every instance\n`);
      } else {
        process.stdout.write(`removed ${username}; their tokens stop at the next refresh, or now with POST /api/auth/revoke\n`);
      }
      return 0;
    }
    case 'import':
      return importUsers(name, users, o);
    default:
      throw new UsageError('gateway users add|remove|list|passwd|import');
  }
}

/** A users file's records into the store: a name already there refuses the whole import unless --replace. */
async function importUsers(file: string | undefined, existing: readonly UserRecord[], o: UsersCommandOptions): Promise<number> {
  if (!file) throw new UsageError('gateway users import FILE [--replace] --config FILE');
  if (!o.endSessions) throw new UsageError('users import moves a users file into the store: --config FILE must say auth.users: { source: store }');
  if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
  const incoming = readUsersFile(file);
  const clashing = existing.filter((u) => incoming.some((i) => i.username === u.username));
  if (clashing.length > 0 && !o.replace) {
    throw new UsageError(`the store already has ${clashing.map((u) => `"${u.username}"`).sort().join(', ')}; nothing imported (--replace overwrites them)`);
  }
  await o.records.apply({ put: incoming });
  // A replaced account's sessions were opened with another credential: they end as a passwd would end them.
  for (const u of clashing) await o.endSessions(u.username);
  process.stdout.write(`imported ${incoming.length} user${incoming.length === 1 ? '' : 's'} from ${file}${clashing.length > 0 ? ` (${clashing.length} replaced, their sessions ended)` : ''}\n`);
  return 0;
}

async function newHash(o: UsersCommandOptions): Promise<string> {
  const password = await readPassword('password: ');
  if (password === null) throw new UsageError(`passwords are at most ${MAX_PASSWORD_BYTES} bytes; reading stopped there, nothing written`);
  if (password.length < MIN_PASSWORD) throw new UsageError(`passwords need at least ${MIN_PASSWORD} characters`);
  return (await createPasswordHasher(o.argon2)).hash(password);
}

export class UsageError extends Error {}

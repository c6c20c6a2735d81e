import { existsSync } from 'node:fs';
import { createPasswordHasher } from '../auth/password-hasher.js';
import { readUsersFile, writeUsersFile } from '../auth/users-file.js';
import type { Argon2Params } from '../auth/password-hasher.js';
import { readPassword } from './read-password.js';

const MIN_PASSWORD = 12;

export interface UsersCommandOptions {
  file: string;
  argon2: Argon2Params;
  roles: string[];
}

/** gateway users add|remove|list|passwd: edits the users file atomically; running gateways pick it up. */
export async function usersCommand(action: string, name: string | undefined, o: UsersCommandOptions): Promise<number> {
  const users = readUsersFile(o.file);
  const need = () => {
    if (!name) throw new UsageError(`gateway users ${action} NAME`);
    return name;
  };
  switch (action) {
    case 'list':
      // An empty list and a mistyped path would look the same; serve refuses a users file that is not there.
      if (!existsSync(o.file)) process.stderr.write(`gateway users: ${o.file} does not exist yet; "gateway users add NAME --role ROLE" creates it\n`);
      for (const u of users) process.stdout.write(`${u.username}\t${u.roles.join(',') || '-'}${u.disabled ? '\tdisabled' : ''}\n`);
      return 0;
    case 'add': {
      const username = need();
      if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(username)) throw new UsageError('user names are 1-64 of letters, digits, "_", ".", "@", "-"');
      if (users.some((u) => u.username === username)) throw new UsageError(`user "${username}" exists; use "gateway users passwd"`);
      if (o.roles.length === 0) throw new UsageError('give at least one --role');
      const hash = await newHash(o);
      writeUsersFile(o.file, [...users, { username, roles: o.roles, hash, disabled: false }]);
      process.stdout.write(`added ${username} (${o.roles.join(', ')})\n`);
      return 0;
    }
    case 'passwd': {
      const username = need();
      const user = users.find((u) => u.username === username);
      if (!user) throw new UsageError(`no user "${username}"`);
      user.hash = await newHash(o);
      writeUsersFile(o.file, users);
      process.stdout.write(`password changed for ${username}; sessions opened before end at their next refresh, or now with POST /api/auth/revoke\n`);
      return 0;
    }
    case 'remove': {
      const username = need();
      const rest = users.filter((u) => u.username !== username);
      if (rest.length === users.length) throw new UsageError(`no user "${username}"`);
      writeUsersFile(o.file, rest);
      process.stdout.write(`removed ${username}; their tokens stop at the next refresh, or now with POST /api/auth/revoke\n`);
      return 0;
    }
    default:
      throw new UsageError('gateway users add|remove|list|passwd');
  }
}

async function newHash(o: UsersCommandOptions): Promise<string> {
  const password = await readPassword('password: ');
  if (password.length < MIN_PASSWORD) throw new UsageError(`passwords need at least ${MIN_PASSWORD} characters`);
  return (await createPasswordHasher(o.argon2)).hash(password);
}

export class UsageError extends Error {}

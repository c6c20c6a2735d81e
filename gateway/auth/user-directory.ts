import { existsSync } from 'node:fs';
import { watchParsedFile, type WatchedFile } from '../files/watched-file.js';
import type { PasswordHasher } from './password-hasher.js';
import { readUsersFile, type UserRecord } from './users-file.js';

/** The users file, kept current as `gateway users` rewrites it. */
export interface UserDirectory {
  find(username: string): UserRecord | undefined;
  /** The user when the password is right and the account enabled; null otherwise, in about the same time. */
  authenticate(username: string, password: string): Promise<UserRecord | null>;
  close(): void;
}

export function createUserDirectory(file: string | undefined, hasher: PasswordHasher, onError: (err: Error) => void): UserDirectory {
  // A mistyped path would otherwise start a gateway where every login is a 401 and nothing says why.
  if (file !== undefined && !existsSync(file)) {
    throw new Error(`auth.users.file: ${file} does not exist (create it with "gateway users add NAME --role ROLE --config FILE")`);
  }
  const watched: WatchedFile<Map<string, UserRecord>> | null = file
    ? watchParsedFile(file, (f) => new Map(readUsersFile(f).map((u) => [u.username, u])), onError)
    : null;
  const find = (username: string) => watched?.current().get(username);
  return {
    find,
    async authenticate(username, password) {
      const user = find(username);
      if (!user) return hasher.verifyDummy(password).then(() => null);
      const ok = await hasher.verify(user.hash, password);
      return ok && !user.disabled ? user : null;
    },
    close: () => watched?.close(),
  };
}

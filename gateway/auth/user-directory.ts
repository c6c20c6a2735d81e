import { existsSync } from 'node:fs';
import { watchParsedFile } from '../files/watched-file.js';
import type { PasswordHasher } from './password-hasher.js';
import type { StoreDirectoryFeed } from './store-directory.js';
import { readUsersFile, type UserRecord } from './users-file.js';

/** Who may log in: the users file kept current as `gateway users` rewrites it, or the store's directory. */
export interface UserDirectory {
  /** Throws StoreUnavailableError when the store directory has no current snapshot. */
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
  if (!file) return userDirectoryOver(() => new Map(), hasher, () => {});
  const watched = watchParsedFile(file, (f) => new Map(readUsersFile(f).map((u) => [u.username, u])), onError);
  return userDirectoryOver(() => watched.current(), hasher, () => watched.close());
}

/** `source: store`: the feed's snapshot; the feed is closed by its owner (auth-service.ts). */
export function createStoreUserDirectory(feed: StoreDirectoryFeed, hasher: PasswordHasher): UserDirectory {
  return userDirectoryOver(() => feed.users(), hasher, () => {});
}

function userDirectoryOver(current: () => ReadonlyMap<string, UserRecord>, hasher: PasswordHasher, close: () => void): UserDirectory {
  const find = (username: string) => current().get(username);
  return {
    find,
    async authenticate(username, password) {
      const user = find(username);
      if (!user) return hasher.verifyDummy(password).then(() => null);
      const ok = await hasher.verify(user.hash, password);
      return ok && !user.disabled ? user : null;
    },
    close,
  };
}

import type { PasswordHasher } from './password-hasher.js';
import { readUsersFile, type UserRecord } from './users-file.js';
import { watchParsedFile, type WatchedFile } from './watched-file.js';

/** The users file, kept current as `gateway users` rewrites it. */
export interface UserDirectory {
  find(username: string): UserRecord | undefined;
  /** The user when the password is right and the account enabled; null otherwise, in about the same time. */
  authenticate(username: string, password: string): Promise<UserRecord | null>;
  close(): void;
}

export function createUserDirectory(file: string | undefined, hasher: PasswordHasher, onError: (err: Error) => void): UserDirectory {
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

import { resolve } from 'node:path';
import { apiKeyRecordSchema, readKeysFile, writeKeysFile, type ApiKeyRecord } from '../auth/api-keys.js';
import { claimKeySecret, type SecretClaim } from '../auth/key-secret-fingerprint.js';
import { fileRecordSet, storeRecordSet, type RecordSet } from '../auth/record-set.js';
import { createRevocation } from '../auth/revocation.js';
import { DIRECTORY_KEYS, DIRECTORY_POLL_MS, DIRECTORY_STALE_AFTER_MS } from '../auth/store-directory.js';
import { readUsersFile, userRecordSchema, writeUsersFile, type UserRecord } from '../auth/users-file.js';
import type { GatewayConfig } from '../config/compile-config.js';
import { createRedisStore } from '../store/redis-store.js';
import { StoreUnavailableError, type Store } from '../store/store.js';
import { UsageError } from './users-command.js';

type Config = GatewayConfig<'optional'>;

/** Where `gateway users|keys` edit, and the store connection to close after (null for a file). */
export interface CliRecords<R> {
  records: RecordSet<R>;
  store: Store | null;
  /** Users in the store only: ends the user's sessions everywhere. */
  endSessions: ((username: string) => Promise<void>) | null;
  /** Keys in the store only: key-secret-fingerprint.ts claimKeySecret. */
  claimSecret: ((secret: string, keysExist: boolean) => Promise<SecretClaim>) | null;
  close(): Promise<void>;
}

/** --users-file wins; else the config's auth.users: a file, or the store (source: store). */
export async function userRecords(config: Config | undefined, fileFlag: string | undefined): Promise<CliRecords<UserRecord>> {
  const users = config?.auth?.users;
  const file = fileFlag ?? (users?.source === 'file' ? users.file : undefined);
  if (file !== undefined) {
    return fileOnly(fileRecordSet(resolve(file), { schema: userRecordSchema, read: readUsersFile, write: writeUsersFile, idOf: (u) => u.username, absent: '"gateway users add NAME --role ROLE" creates it' }));
  }
  if (users?.source !== 'store') throw new UsageError('no users file: give --config FILE (with auth.users.file or auth.users.source: store) or --users-file FILE');
  const store = await openStore(config!);
  const auth = config!.auth!;
  // As long as the longest-lived token of a session, as the gateway keeps it (auth-service.ts).
  const revocation = createRevocation(store, Math.max(auth.jwt.refreshTtl, auth.jwt.accessTtl) + auth.jwt.clockTolerance);
  return {
    records: storeRecordSet(store, DIRECTORY_KEYS.users, userRecordSchema, (u) => u.username),
    store,
    // The cut-off reaches past now by as long as an instance may still answer from the old
    // record (store-directory.ts): a login with the old password meanwhile is ended too.
    endSessions: (username) => revocation.revokeAll(username, Date.now() + DIRECTORY_STALE_AFTER_MS + DIRECTORY_POLL_MS).catch((err: unknown) => {
      if (err instanceof StoreUnavailableError) throw new StoreStepError(`the change to "${username}" is saved, but their sessions could not be ended: the store stopped answering; end them with POST /api/auth/revoke`);
      throw err;
    }),
    claimSecret: null,
    close: () => store.close(),
  };
}

/** --keys-file wins; else the config's auth.apiKeys. */
export async function keyRecords(config: Config | undefined, fileFlag: string | undefined): Promise<CliRecords<ApiKeyRecord>> {
  const keys = config?.auth?.apiKeys;
  const file = fileFlag ?? (keys?.source === 'file' ? keys.file : undefined);
  if (file !== undefined) {
    return fileOnly(fileRecordSet(resolve(file), { schema: apiKeyRecordSchema, read: readKeysFile, write: writeKeysFile, idOf: (k) => k.id, absent: '"gateway keys create" creates it' }));
  }
  if (keys?.source !== 'store') throw new UsageError('no keys file: give --config FILE (with auth.apiKeys.file or auth.apiKeys.source: store) or --keys-file FILE');
  const store = await openStore(config!);
  return { records: storeRecordSet(store, DIRECTORY_KEYS.keys, apiKeyRecordSchema, (k) => k.id), store, endSessions: null, claimSecret: (secret, keysExist) => claimKeySecret(store, secret, keysExist), close: () => store.close() };
}

function fileOnly<R>(records: RecordSet<R>): CliRecords<R> {
  return { records, store: null, endSessions: null, claimSecret: null, close: async () => {} };
}

async function openStore(config: Config): Promise<Store> {
  // validate-config refuses source: store without store.redis; an unset REDIS_URL lands here.
  if (!config.store.redis) throw new UsageError('source: store needs store.redis (is REDIS_URL set?)');
  // No logger: the one line the CLI prints on failure says what matters; the URL may hold a password.
  return createRedisStore(config.store.redis);
}

/** A store failure after a change was saved: its message says what was done and what was not. */
export class StoreStepError extends Error {}

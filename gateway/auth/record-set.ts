import { existsSync } from 'node:fs';
import type { z } from 'zod';
import type { Store, StoreWrite } from '../store/store.js';
import { assertRecords } from './record-problem.js';
import { DIRECTORY_KEYS } from './store-directory.js';

/**
 * Where `gateway users` and `gateway keys` edit records: the file, or the store's directory hash
 * (source: store). Records are keyed by `idOf` (user name, key id).
 */
export interface RecordSet<R> {
  list(): Promise<R[]>;
  /**
   * Puts and removes in one step (on the store one MULTI with the version bump, so every instance
   * reloads once). With `create`, a put never replaces a record: the ids already there are
   * returned in `existed` and left as they were. Every put is checked first with the schema the
   * gateway reads with: InvalidRecordError (record-problem.ts) and nothing written.
   */
  apply(change: { put?: readonly R[]; remove?: readonly string[]; create?: boolean }): Promise<{ existed: string[]; removed: number }>;
  /** For `list`: why the list may mislead (a file not created yet, store records left out), or null. */
  absentNote(): string | null;
}

export function fileRecordSet<R>(file: string, io: { schema: z.ZodType<R>; read(file: string): R[]; write(file: string, records: readonly R[]): void; idOf(r: R): string; absent: string }): RecordSet<R> {
  return {
    async list() {
      return io.read(file);
    },
    async apply({ put = [], remove = [], create = false }) {
      assertRecords(io.schema, put, io.idOf);
      const records = io.read(file);
      const existed: string[] = [];
      let removed = 0;
      for (const id of remove) {
        const at = records.findIndex((r) => io.idOf(r) === id);
        if (at >= 0) {
          records.splice(at, 1);
          removed++;
        }
      }
      for (const r of put) {
        const at = records.findIndex((x) => io.idOf(x) === io.idOf(r));
        if (at < 0) records.push(r);
        else if (create) existed.push(io.idOf(r));
        else records[at] = r;
      }
      io.write(file, records);
      return { existed, removed };
    },
    absentNote: () => (existsSync(file) ? null : `${file} does not exist yet; ${io.absent}`),
  };
}

/**
 * `hash`: DIRECTORY_KEYS.users or .keys. Records that do not parse (or sit under another id) are
 * left out of the list, as every instance leaves them out; absentNote names them after a list.
 */
export function storeRecordSet<R>(store: Store, hash: typeof DIRECTORY_KEYS.users | typeof DIRECTORY_KEYS.keys, schema: z.ZodType<R>, idOf: (r: R) => string): RecordSet<R> {
  let leftOut: string[] = [];
  return {
    async list() {
      const out: R[] = [];
      leftOut = [];
      for (const [field, value] of await store.hashGetAll(hash)) {
        let parsed: z.ZodSafeParseResult<R> | null = null;
        try {
          parsed = schema.safeParse(JSON.parse(value.toString()));
        } catch { /* not JSON: not a record */ }
        if (parsed?.success && idOf(parsed.data) === field) out.push(parsed.data);
        else leftOut.push(field);
      }
      return out;
    },
    async apply({ put = [], remove = [], create = false }) {
      assertRecords(schema, put, idOf);
      const writes: StoreWrite[] = [
        ...remove.map((field): StoreWrite => ({ op: 'hdel', key: hash, field })),
        ...put.map((r): StoreWrite => ({ op: 'hset', key: hash, field: idOf(r), value: JSON.stringify(r), ifAbsent: create })),
        { op: 'incr', key: DIRECTORY_KEYS.version },
      ];
      const replies = await store.multi(writes);
      const removed = replies.slice(0, remove.length).filter((n) => n === 1).length;
      const existed = create ? put.filter((_, i) => replies[remove.length + i] === 0).map(idOf) : [];
      return { existed, removed };
    },
    // Field names only (user names, key ids): the values hold hashes.
    absentNote: () => (leftOut.length === 0 ? null : `not listed, and left out by every gateway because they are not valid records: ${leftOut.map((f) => JSON.stringify(f)).sort().join(', ')} (${hash === DIRECTORY_KEYS.users ? '"gateway users remove NAME" removes one' : `HDEL ${hash} ID removes one`})`),
  };
}

import type { z } from 'zod';

/**
 * Why `record` fails `schema`, the schema the gateway reads records with (users-file.ts,
 * api-keys.ts): the field paths and messages, never the values (a hash sits beside them).
 * null when it passes. Writers ask this before they write, so what they write is read back.
 */
export function recordProblem<R>(schema: z.ZodType<R>, record: unknown): string | null {
  const parsed = schema.safeParse(record);
  if (parsed.success) return null;
  return parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'record'}: ${i.message}`).join('; ');
}

/** A write refused because the gateway would leave the record out; its message is recordProblem's. */
export class InvalidRecordError extends Error {}

/** Throws InvalidRecordError for the first record `schema` refuses, naming it by `idOf`. */
export function assertRecords<R>(schema: z.ZodType<R>, records: readonly R[], idOf: (r: R) => string): void {
  for (const r of records) {
    const problem = recordProblem(schema, r);
    if (problem !== null) throw new InvalidRecordError(`record "${idOf(r)}" would be left out by every gateway (${problem}); nothing written`);
  }
}

import { z } from 'zod';
import { parseDuration, parseSize } from '../units.js';

/** Field types more than one section uses. Durations and sizes leave the schema as numbers. */

export const duration = z.any().transform((v, ctx) => {
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "30s", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return ms;
});

export const size = z.any().transform((v, ctx) => {
  const bytes = typeof v === 'string' ? parseSize(v) : undefined;
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a size like "1mb" or "16kb", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return bytes;
});

/** The value as the operator wrote it, for messages; a missing key shows as nothing. */
const shown = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

// A quoted "${PORT}" arrives as a string; digits are still a port.
export const port = z.preprocess(
  (v) => (typeof v === 'string' && /^\d{1,5}$/.test(v) ? Number(v) : v),
  z.number({ error: (i) => `expected a port number 0-65535, got ${shown(i.input)}` }).int().min(0).max(65535),
);

/**
 * Booleans and numbers whose every failure names the form to write: zod's own words name a
 * type ("Invalid input: expected boolean, received string"), and `yes` is a string in YAML 1.2.
 */
export const bool = z.boolean({ error: (i) => `expected true or false, got ${shown(i.input)}` });

/** A whole number in a range: a string, 1.5 and 0 all get the one message that names the range. */
export const wholeNumber = (min: number, max?: number) => {
  const expected = `expected a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}`;
  const n = z.number({ error: (i) => `${expected}, got ${shown(i.input)}` }).int().min(min);
  return max === undefined ? n : n.max(max);
};

export const positiveNumber = z.number({ error: (i) => `expected a number above 0 (like 2 or 0.5), got ${shown(i.input)}` }).positive();
export const hostAddress = z.string().min(1);

const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export const headerName = z.string().regex(HTTP_TOKEN, 'expected an HTTP header name');
// RFC 9110 5.5: field values never contain CR, LF or NUL.
export const headerValue = z.string().regex(/^[^\r\n\0]*$/, 'header values cannot contain CR, LF or NUL');

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof METHODS)[number];
export const method = z.enum(METHODS, { error: `expected one of ${METHODS.join(', ')}` });

const ROLE = /^[A-Za-z0-9_.:-]{1,64}$/;
export const role = z.string().regex(ROLE, 'expected a role name (letters, digits, "_", ".", ":" or "-")');

/**
 * A list whose error says a list is wanted (`roles: trader` is a common slip) and, for an empty
 * one where a `.min(1)` follows, that it needs an entry: `empty` names what is missing.
 */
export const listOf = <T extends z.ZodType>(item: T, example: string, empty = `expected at least one entry, like [${example}]`) =>
  // The declared type knows only invalid_type; a `.min(1)` added after reports through here too.
  z.array(item, { error: (i) => ((i as { code: string }).code === 'too_small' ? empty : `expected a list, like [${example}]`) });

/**
 * A union whose error names every accepted form. zod's own says only "Invalid input"; when the
 * value has the shape of one form, validate-config reports that form's own problems instead.
 */
export const oneOf = <const T extends readonly [z.ZodType, z.ZodType, ...z.ZodType[]]>(expected: string, options: T) =>
  z.union(options, { error: `expected ${expected}` });

export const reserved = (what: string) =>
  z.any().refine(() => false, `not supported yet: ${what} arrives with a later release; remove the key rather than have it ignored`);

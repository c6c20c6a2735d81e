import type { IncomingHttpHeaders } from 'node:http';
import { HOP_BY_HOP } from '../upstream/hop-by-hop.js';

/** What the store holds under one caller's key. */
export type IdempotencyRecord =
  /** Claimed: the first request is on its way to the backend. `owner` tells its claim from a later one. */
  | { state: 'in-flight'; fingerprint: string; owner: string }
  /** Answered: what a repeat gets back. */
  | { state: 'done'; fingerprint: string; status: number; headers: StoredHeaders; body: Buffer }
  /** Answered, with a body over the route's maxBodyBytes: known to be done, not replayable. */
  | { state: 'too-large'; fingerprint: string; status: number };

export type StoredHeaders = Record<string, string | string[]>;

/**
 * The backend's fields worth keeping for a replay. Set-Cookie is not kept: credentials do not go
 * to rest in the store for the window, and a session cookie set again a day later could undo a
 * logout. Hop-by-hop fields belonged to the first connection; Content-Length is made anew. The
 * route's own filters and headers apply again at replay time (response-head.ts), as for a live answer.
 */
export function replayableHeaders(headers: IncomingHttpHeaders): StoredHeaders {
  const out: StoredHeaders = {};
  for (const name in headers) {
    if (HOP_BY_HOP.has(name) || name === 'set-cookie' || name === 'content-length') continue;
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

export function encodeRecord(r: IdempotencyRecord): string {
  return JSON.stringify(r.state === 'done' ? { ...r, body: r.body.toString('base64') } : r);
}

/** null for anything this version did not write (a foreign or damaged value). */
export function decodeRecord(raw: Buffer): IdempotencyRecord | null {
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Record<string, unknown>;
  if (typeof r.fingerprint !== 'string') return null;
  if (r.state === 'in-flight' && typeof r.owner === 'string') return { state: 'in-flight', fingerprint: r.fingerprint, owner: r.owner };
  if (typeof r.status !== 'number') return null;
  if (r.state === 'too-large') return { state: 'too-large', fingerprint: r.fingerprint, status: r.status };
  if (r.state === 'done' && typeof r.body === 'string' && isHeaders(r.headers)) {
    return { state: 'done', fingerprint: r.fingerprint, status: r.status, headers: r.headers, body: Buffer.from(r.body, 'base64') };
  }
  return null;
}

function isHeaders(h: unknown): h is StoredHeaders {
  if (typeof h !== 'object' || h === null || Array.isArray(h)) return false;
  return Object.values(h).every((v) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')));
}

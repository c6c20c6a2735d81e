import { createHash } from 'node:crypto';
import type { BackendReply } from '../upstream/backend-exchange.js';
import type { Entry, EntryMeta } from './cache-entry.js';
import type { StoreYes } from './policy/store-decision.js';
import { replayableHeaders } from './replayable-headers.js';

/** What the policy decided about a stored response's life (policy/store-decision.ts). */
export type Freshness = Omit<StoreYes, 'store' | 'vary'>;

export type MakeVariants = (body: Buffer, headers: Record<string, string>) => Promise<{ gzip?: Buffer; br?: Buffer }>;

/**
 * An entry from a backend answer the policy allowed to store. Every entry has an ETag (RFC 9110
 * 8.8.3): the backend's, or a strong one made from the body, so If-None-Match can be answered
 * from the cache even for a backend that sends none.
 */
export async function buildEntry(reply: BackendReply, freshness: Freshness, o: {
  receivedAt: number;
  generations: (string | null)[];
  vary: Record<string, string>;
  drop: ReadonlySet<string>;
  makeVariants: MakeVariants;
}): Promise<Entry> {
  const headers = replayableHeaders(reply.headers, o.drop);
  // The backend's own ETag stays in the headers (revalidation sends it back); a made one is only served.
  const valid = headers.etag !== undefined && /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/.test(headers.etag);
  if (!valid) delete headers.etag;
  const etag = valid ? headers.etag! : `"${createHash('sha256').update(reply.body).digest('base64url').slice(0, 27)}"`;
  const meta: EntryMeta = { status: reply.status, headers, storedAt: o.receivedAt, ...freshness, etag, generations: o.generations, vary: o.vary };
  const variants = reply.body.length > 0 ? await o.makeVariants(reply.body, headers) : {};
  return { meta, body: reply.body, gzip: variants.gzip ?? null, br: variants.br ?? null };
}

/** How long the store keeps an entry: its fresh and stale windows, longer when it can be revalidated, never past maxTtl. */
export function storeLifetime(meta: EntryMeta, maxTtl: number): number {
  const stale = meta.noStale ? 0 : Math.max(meta.staleWhileRevalidateMs, meta.staleIfErrorMs);
  const revalidation = meta.headers.etag !== undefined || meta.headers['last-modified'] !== undefined ? Math.max(meta.freshMs, 60_000) : 0;
  return Math.min(maxTtl, Math.max(1000, meta.freshMs - meta.initialAgeMs + stale + revalidation));
}

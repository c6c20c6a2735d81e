/**
 * A stored response as one byte string: a JSON head (status, the headers that may be replayed,
 * freshness, the tag generations it was stored under) then the body and its compressed
 * variants. One value per entry, so a hit is one GET (with the tags: one MGET).
 */
export interface EntryMeta {
  status: number;
  /** Lower-case names, list fields joined with ", "; replayable fields only (replayable-headers.ts). */
  headers: Record<string, string>;
  /** When the response was received (ms epoch): the clock of Age and freshness. */
  storedAt: number;
  initialAgeMs: number;
  freshMs: number;
  staleWhileRevalidateMs: number;
  staleIfErrorMs: number;
  revalidateAlways: boolean;
  noStale: boolean;
  /** The backend's ETag, or one made from the body. */
  etag: string;
  /** Generation of each tag key at the time the backend was asked, in the order they were looked up. */
  generations: (string | null)[];
  /** RFC 9111 4.1: the request's values of the fields the response's Vary names. */
  vary: Record<string, string>;
}

export interface Entry {
  meta: EntryMeta;
  body: Buffer;
  gzip: Buffer | null;
  br: Buffer | null;
}

const VERSION = 1;

export function encodeEntry(e: Entry): Buffer {
  const head = Buffer.from(JSON.stringify({ v: VERSION, m: e.meta, l: [e.body.length, e.gzip?.length ?? -1, e.br?.length ?? -1] }));
  const size = Buffer.alloc(4);
  size.writeUInt32BE(head.length);
  return Buffer.concat([size, head, e.body, e.gzip ?? Buffer.alloc(0), e.br ?? Buffer.alloc(0)]);
}

/** null for anything that is not an entry of this version (an older release's, or damaged): a miss. */
export function decodeEntry(buf: Buffer): Entry | null {
  try {
    if (buf.length < 4) return null;
    const headLength = buf.readUInt32BE(0);
    const parsed = JSON.parse(buf.subarray(4, 4 + headLength).toString()) as { v: number; m: EntryMeta; l: [number, number, number] };
    if (parsed.v !== VERSION) return null;
    const [bodyLength, gzipLength, brLength] = parsed.l;
    let at = 4 + headLength;
    const take = (n: number) => {
      if (n < 0) return null;
      const part = buf.subarray(at, at + n);
      at += n;
      return part;
    };
    const body = take(bodyLength)!;
    const gzip = take(gzipLength);
    const br = take(brLength);
    if (at !== buf.length) return null;
    return { meta: parsed.m, body, gzip, br };
  } catch {
    return null;
  }
}

// TEMPORARY: replaced by gateway/cache/policy/ at merge. Not to be committed.
type H = Record<string, string | string[] | undefined>;
export function storeDecision(i: { method: string; requestHeaders: H; status: number; responseHeaders: H; requestTime: number; responseTime: number }, r: { ttlMs: number | null; staleWhileRevalidateMs: number | null; staleIfErrorMs: number | null; scope: string; statuses: ReadonlySet<number>; respectUpstream: boolean; requestHadAuthorization: boolean }):
  { store: false; reason: string } | { store: true; freshMs: number; staleWhileRevalidateMs: number; staleIfErrorMs: number; initialAgeMs: number; revalidateAlways: boolean; noStale: boolean; vary: string[] } {
  const cc = String(i.responseHeaders['cache-control'] ?? '');
  if (!r.statuses.has(i.status)) return { store: false, reason: 'status' };
  if (i.responseHeaders['set-cookie']) return { store: false, reason: 'set-cookie' };
  if (/no-store/.test(cc)) return { store: false, reason: 'no-store' };
  if (/private/.test(cc) && r.scope !== 'user') return { store: false, reason: 'private' };
  return { store: true, freshMs: r.ttlMs ?? 0, staleWhileRevalidateMs: r.staleWhileRevalidateMs ?? 0, staleIfErrorMs: r.staleIfErrorMs ?? 0, initialAgeMs: 0, revalidateAlways: false, noStale: false, vary: [] };
}
export function requestDecision(_h: H, _o: { honourClientNoCache: boolean }) { return { bypass: false, revalidate: false, onlyIfCached: false }; }
export function entryState(m: { storedAt: number; initialAgeMs: number; freshMs: number; staleWhileRevalidateMs: number; staleIfErrorMs: number; revalidateAlways: boolean; noStale: boolean }, now: number) {
  const ageMs = m.initialAgeMs + now - m.storedAt;
  const ttlMs = m.freshMs - ageMs;
  const state = ttlMs > 0 ? 'fresh' : -ttlMs < m.staleWhileRevalidateMs ? 'stale-while-revalidate' : -ttlMs < m.staleIfErrorMs ? 'stale-if-error-only' : 'expired';
  return { state: state as 'fresh' | 'stale-while-revalidate' | 'stale-if-error-only' | 'expired', ageMs, ttlMs };
}
export const ageHeader = (ms: number) => String(Math.floor(ms / 1000));
export function conditionalRequestHeaders(h: Record<string, string>): Record<string, string> { return h.etag ? { 'if-none-match': h.etag } : {}; }
export function headersAfterNotModified(s: Record<string, string>, n: H): Record<string, string> { const o = { ...s }; for (const [k, v] of Object.entries(n)) if (typeof v === 'string' && k !== 'content-length') o[k] = v; return o; }
export function invalidationTargets(i: { method: string; status: number; path: string; responseHeaders: H; origin: string }): string[] { return i.status < 400 ? [i.path] : []; }
export function ifNoneMatchMatches(inm: string | undefined, etag: string): boolean { return inm !== undefined && inm.split(',').map((s) => s.trim().replace(/^W\//, '')).includes(etag.replace(/^W\//, '')); }
export function negotiateEncoding(ae: string | undefined, offered: readonly ('br' | 'gzip')[]): 'br' | 'gzip' | null { if (!ae) return null; for (const o of offered) if (ae.includes(o)) return o; return null; }
export async function makeVariants(_b: Buffer, _h: Record<string, string>): Promise<{ gzip?: Buffer; br?: Buffer }> { return {}; }

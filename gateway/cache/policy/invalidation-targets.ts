import { singleton, type HeaderRecord } from './header-value.js';

export interface InvalidationInput {
  readonly method: string;
  readonly status: number;
  /** The request's path as the gateway normalized it (a query, if present, is stripped). */
  readonly path: string;
  readonly responseHeaders: HeaderRecord;
  /** The target URI's origin, e.g. "https://api.example.com" (RFC 9110 4.3.1). */
  readonly origin: string;
  /**
   * The gateway's path canonicalizer (pipeline/normalize-path.ts), so targets read from Location
   * compare equal to cache keys; null rejects the path. Default: the URL parser's path (dot
   * segments removed, nothing decoded). Passed in: this module imports nothing from the gateway.
   */
  readonly normalize?: (path: string) => string | null;
}

/** RFC 9110 9.2.1: the safe methods; method names are case-sensitive (9.1), so "get" is unsafe. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * RFC 9111 4.4: after "a non-error status code [2xx, 3xx] in response to an unsafe request method
 * (including methods whose safety is unknown)" a cache MUST invalidate the target URI and MAY
 * invalidate the URIs in Location and Content-Location, but "MUST NOT ... if the origin ... of the
 * URI to be invalidated differs from that of the target URI" (no cross-origin invalidation: a DoS
 * lever). Location and Content-Location are URI-references resolved against the target URI
 * (RFC 9110 10.2.2, 8.7), so "/orders/7", "7" and "https://same.origin/orders/7" all count.
 *
 * Returns paths: the cache invalidates by path, every query of it (a superset of the target URI,
 * which 4.4's MAY allows); queries and fragments are stripped, duplicates removed.
 */
export function invalidationTargets(input: InvalidationInput): string[] {
  if (SAFE_METHODS.has(input.method) || input.status < 200 || input.status >= 400) return [];
  const normalize = input.normalize ?? ((p: string) => p);
  const out = new Set<string>();
  const own = normalize(stripQuery(input.path));
  if (own !== null) out.add(own);
  let base: URL;
  try {
    base = new URL(input.origin);
    // pathname is set, not parsed as a reference: a path "//evil.example/x" stays a path.
    base.pathname = stripQuery(input.path);
    base.search = '';
    base.hash = '';
  } catch {
    return [...out];
  }
  for (const field of ['location', 'content-location']) {
    const raw = singleton(input.responseHeaders[field]);
    if (raw === null || raw === '') continue;
    let url: URL;
    try {
      url = new URL(raw, base);
    } catch {
      continue; // not a URI-reference: nothing to invalidate
    }
    if (url.origin !== base.origin) continue;
    const path = normalize(url.pathname);
    if (path !== null) out.add(path);
  }
  return [...out];
}

function stripQuery(path: string): string {
  const q = path.search(/[?#]/);
  return q === -1 ? path : path.slice(0, q);
}

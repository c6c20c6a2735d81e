import { deltaSeconds, type CacheDirectives } from './parse-cache-control.js';

/**
 * How long past its freshness a stored response may be served: RFC 5861 `stale-while-revalidate`
 * (served at once, refreshed behind) or `stale-if-error` (served only when the origin fails).
 *
 * Two sources may permit it (RFC 9111 4.2.4: stale serving needs permission from the origin,
 * "extension directives such as those defined in [RFC5861]", or "configuration in accordance with
 * an out-of-band contract"): the response directive and the route's window. Choice: the route's
 * window, when set, is both the default and the ceiling. A response may narrow it (its directive
 * caps the window: the origin knows its data best) but never widen it past what the operator
 * allowed; without a route window the directive alone applies. An invalid directive (repeated, not
 * delta-seconds) grants nothing, so it caps to 0. `readDirective` false (TTL mode without
 * respectUpstream) leaves the route's window alone.
 *
 * The caller zeroes every window when the response forbids stale serving (4.2.4: no-cache,
 * must-revalidate, proxy-revalidate, s-maxage), whatever this returns.
 */
export function staleWindowMs(
  routeMs: number | null,
  cc: CacheDirectives,
  directive: 'stale-while-revalidate' | 'stale-if-error',
  readDirective: boolean,
): number {
  if (!readDirective) return routeMs ?? 0;
  const d = deltaSeconds(cc, directive);
  const directiveMs = d === null ? null : d === 'invalid' ? 0 : d * 1000;
  if (routeMs === null) return directiveMs ?? 0;
  return directiveMs === null ? routeMs : Math.min(routeMs, directiveMs);
}

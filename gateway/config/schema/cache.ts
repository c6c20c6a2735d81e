import { z } from 'zod';
import { HOP_BY_HOP } from '../../upstream/hop-by-hop.js';
import { CREDENTIAL_HEADERS, FORWARDING_HEADERS } from '../../upstream/request-headers.js';
import { formatDuration } from '../units.js';
import { bool, duration, headerName, listOf, size, wholeNumber } from './fields.js';
import type { PathIssue } from './path-issue.js';
import type { RawRouteHeaders } from './route-headers.js';

/** The response cache: the top-level `cache` section (limits shared by every route) and a route's `cache` and `invalidates`. */

const MiB = 1024 * 1024;
const positive = (what: string) => duration.refine((ms) => ms > 0, `${what} must be above 0`);

export const cacheSectionSchema = z.strictObject({
  /** The memory store's bound for cache entries (least recently used go first); Redis uses TTLs. */
  maxMemory: size.refine((n) => n >= MiB, 'expected at least 1mb: the memory store keeps entries within this many bytes').default(64 * MiB),
  /** No entry lives longer, whatever the backend says (RFC 9111 allows a cache to drop entries early). */
  maxTtl: positive('maxTtl').default(24 * 3600 * 1000),
  /**
   * On Redis, cache writes pause while Redis uses more than this share of its maxmemory, so that
   * entries never take the room sessions, limits and idempotency keys need.
   */
  redisMemoryShare: z.number({ error: 'expected a share like 0.5' }).gt(0, 'expected a share above 0').max(0.95, 'expected a share of at most 0.95').default(0.5),
}, { error: 'expected a mapping like { maxMemory: 64mb, maxTtl: 1d }' }).default({ maxMemory: 64 * MiB, maxTtl: 24 * 3600 * 1000, redisMemoryShare: 0.5 });
export type CacheSection = z.output<typeof cacheSectionSchema>;

// `portfolio:{user}`, `order:{id}`: fixed text and placeholders (the caller, or a :param of the route's path).
const TAG = /^(?:[A-Za-z0-9_.:\-/]|\{[A-Za-z_][A-Za-z0-9_]*\})+$/;
export const tagTemplate = z.string().max(200).regex(TAG, 'expected a tag like "portfolio" or "portfolio:{user}" (letters, digits, "_.:-/", {user} or {param})');

/**
 * Statuses the cache never stores, whatever the route lists (cache/policy/store-decision.ts); 1xx
 * are refused by the range (RFC 9111 3: only final responses).
 */
const NEVER_STORED = new Map<unknown, string>([
  [206, 'is never stored: a partial response needs range combination, which this cache does not do (RFC 9111 3.3)'],
  [304, 'is never stored: it refreshes a stored response on revalidation, it is not one itself (RFC 9111 4.3.4)'],
]);

export const routeCacheSchema = z.strictObject({
  /** Absent: the cache follows HTTP (RFC 9111) and stores only what the backend allows. */
  ttl: positive('ttl (leave it out to let HTTP decide)').optional(),
  staleWhileRevalidate: duration.optional(),
  staleIfError: duration.optional(),
  /** Default: `user` on routes with authentication, `shared` on anonymous ones. */
  scope: z.enum(['user', 'role', 'shared'], { error: 'expected "user", "role" or "shared"' }).optional(),
  varyHeaders: listOf(headerName, 'accept-language').default([]),
  tags: listOf(tagTemplate, 'portfolio:{user}').default([]),
  statuses: listOf(wholeNumber(200, 599).refine((n) => !NEVER_STORED.has(n), { error: (i) => `${String(i.input)} ${NEVER_STORED.get(i.input as number)}` }), '200, 404').min(1).default([200]),
  // A miss is read into memory up to this before it is stored: bounded.
  maxBodyBytes: size.refine((n) => n > 0 && n <= 64 * MiB, 'expected a size from 1b to 64mb').default(MiB),
  ignoreQueryParams: listOf(z.string().min(1), 'utm_source, _').default([]),
  respectUpstream: bool.default(true),
  /** Lets a client's `Cache-Control: no-cache` force a revalidation (off: clients could hammer the backend). */
  allowClientNoCache: bool.default(false),
}, { error: 'expected a mapping like { ttl: 5s } ({} to follow HTTP)' });
export type RawRouteCache = z.output<typeof routeCacheSchema>;

export const invalidatesSchema = listOf(tagTemplate, 'portfolio:{user}').min(1);

export type TagPart = { readonly text: string } | { readonly param: string } | { readonly user: true };
export type TagTemplate = readonly TagPart[];

export interface RouteCache {
  readonly ttlMs: number | null;
  readonly staleWhileRevalidateMs: number | null;
  readonly staleIfErrorMs: number | null;
  readonly scope: 'user' | 'role' | 'shared';
  /** Lower-cased, sorted: part of the key. */
  readonly varyHeaders: readonly string[];
  readonly tags: readonly TagTemplate[];
  readonly statuses: ReadonlySet<number>;
  readonly maxBodyBytes: number;
  readonly ignoreQueryParams: ReadonlySet<string>;
  readonly respectUpstream: boolean;
  readonly allowClientNoCache: boolean;
}

export function parseTagTemplate(tag: string): TagTemplate {
  const parts: TagPart[] = [];
  for (const m of tag.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}|[^{]+/g)) {
    if (m[1] === undefined) parts.push({ text: m[0] });
    else parts.push(m[1] === 'user' ? { user: true } : { param: m[1] });
  }
  return parts;
}

export function compileRouteCache(c: RawRouteCache, authenticated: boolean): RouteCache {
  return {
    ttlMs: c.ttl ?? null,
    staleWhileRevalidateMs: c.staleWhileRevalidate ?? null,
    staleIfErrorMs: c.staleIfError ?? null,
    scope: c.scope ?? (authenticated ? 'user' : 'shared'),
    varyHeaders: [...new Set(c.varyHeaders.map((h) => h.toLowerCase()))].sort(),
    tags: c.tags.map(parseTagTemplate),
    statuses: new Set(c.statuses),
    maxBodyBytes: c.maxBodyBytes,
    ignoreQueryParams: new Set(c.ignoreQueryParams),
    respectUpstream: c.respectUpstream,
    allowClientNoCache: c.allowClientNoCache,
  };
}

/** Credentials, and what the gateway negotiates with the client itself: keying on them would split or leak entries. */
const UNKEYABLE = new Set(['authorization', 'cookie', 'accept-encoding', ...CREDENTIAL_HEADERS]);

/** What checkRouteCache needs from other sections; absent when that section failed its own schema. */
export interface CacheCheckContext {
  /** Lower-case identity header names the gateway sets for the backend (defaults and `auth.identityHeaders`). */
  identityHeaders: ReadonlySet<string>;
  /** `cache.maxTtl` in ms; null when the cache section did not parse. */
  maxTtlMs: number | null;
}

type CheckedRoute = { cache?: RawRouteCache; invalidates?: readonly string[]; methods?: readonly string[]; websocket: boolean; target: string; headers?: RawRouteHeaders };

/**
 * Cross-field rules of a route's cache: what the route must be for its entries to be safe.
 * `params` are the route path's :params; `authMode` its auth mode.
 */
export function checkRouteCache(r: CheckedRoute, authMode: string, params: readonly string[], at: PropertyKey[], context: CacheCheckContext): PathIssue[] {
  const issues: PathIssue[] = [];
  const placeholders = (tags: readonly string[], key: PropertyKey[]) => {
    tags.forEach((tag, i) => {
      for (const part of parseTagTemplate(tag)) {
        if ('user' in part && authMode === 'none') issues.push({ path: [...at, ...key, i], message: '{user} needs a route with authentication' });
        if ('param' in part && !params.includes(part.param)) issues.push({ path: [...at, ...key, i], message: `{${part.param}} is not a :param of this route's path` });
      }
    });
  };
  if (r.invalidates) placeholders(r.invalidates, ['invalidates']);
  const c = r.cache;
  if (!c) return issues;
  placeholders(c.tags, ['cache', 'tags']);
  if (r.target !== 'backend') issues.push({ path: [...at, 'cache'], message: 'only backend routes are cached' });
  if (r.methods && !r.methods.includes('GET')) issues.push({ path: [...at, 'cache'], message: 'a cached route answers GET: add GET to methods' });
  if (authMode === 'none' && c.scope !== undefined && c.scope !== 'shared') {
    issues.push({ path: [...at, 'cache', 'scope'], message: `an anonymous route has no ${c.scope} to key on: use scope shared` });
  }
  if (authMode === 'optional' && c.scope === 'role') {
    issues.push({ path: [...at, 'cache', 'scope'], message: 'scope role needs auth required (an anonymous caller has no roles)' });
  }
  const gatewayStated = gatewayStatedNames(r.headers, context.identityHeaders);
  c.varyHeaders.forEach((h, i) => {
    const name = h.toLowerCase();
    if (UNKEYABLE.has(name)) {
      issues.push({ path: [...at, 'cache', 'varyHeaders', i], message: `${h} cannot be a cache key (credentials, or a header the gateway negotiates itself)` });
    } else if (gatewayStated.has(name) || name.includes('_')) {
      // The key would hold the client's value while the backend answered for the gateway's:
      // with X-User-Id on a shared route, bob was served alice's answer.
      issues.push({ path: [...at, 'cache', 'varyHeaders', i], message: `${h} cannot be a cache key: the gateway sets or strips it for the backend, which sees the gateway's value, not the client's` });
    }
  });
  if (context.maxTtlMs !== null) {
    for (const key of ['staleWhileRevalidate', 'staleIfError'] as const) {
      const ms = c[key];
      if (ms !== undefined && ms > context.maxTtlMs) {
        issues.push({ path: [...at, 'cache', key], message: `${formatDuration(ms)} is longer than cache.maxTtl (${formatDuration(context.maxTtlMs)}): no entry is kept that long; shorten it or raise cache.maxTtl` });
      }
    }
  }
  return issues;
}

/**
 * Request fields whose value the backend gets from the gateway, not the client
 * (upstream/request-headers.ts): identity, forwarding and hop-by-hop fields, and the route's
 * own `headers.request` set and remove names. Underscore names are dropped too (checked apart).
 */
function gatewayStatedNames(headers: RawRouteHeaders | undefined, identity: ReadonlySet<string>): Set<string> {
  return new Set([
    ...identity, ...FORWARDING_HEADERS, ...HOP_BY_HOP,
    ...Object.keys(headers?.request?.set ?? {}).map((n) => n.toLowerCase()),
    ...(headers?.request?.remove ?? []).map((n) => n.toLowerCase()),
  ]);
}

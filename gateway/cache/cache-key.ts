import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import type { RouteCache, TagTemplate } from '../config/compile-config.js';

/**
 * Cache keys, tags and their store keys: pure, table-tested (test/unit/issue-8-cache-key.test.ts).
 *
 * An entry key is `c:e:<route id>:<path hash>:<principal hash>:<variant hash>`:
 * - the path is the normalized one the route matched (the same the backend gets);
 * - the principal is the scope's: the caller (an API key is its own principal, never the user
 *   of the same name), the sorted role set, or nothing for `shared`;
 * - the variant is the origin the backend is told about (Host as sent, trusted X-Forwarded-Host
 *   and -Proto), the query, pairs sorted by name (stable: repeated names keep their order,
 *   which may matter to the backend) minus ignored names, and the route's vary headers.
 * A fill sends the backend exactly that and the fields the gateway states itself
 * (pipeline/cache-fetch.ts): no other field of the request can change what is stored. The fixed
 * segments let an operator purge one path, or one path for one caller, by key pattern.
 */

const SEP = '\u0000';

export function hash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

export function principalPart(scope: RouteCache['scope'], principal: Pick<Principal, 'id' | 'method' | 'roles' | 'token'> | null): string {
  if (scope === 'shared') return 'shared';
  if (principal === null) return 'anonymous';
  if (scope === 'role') return `role${SEP}${[...principal.roles].sort().join(SEP)}`;
  // An identity provider's subject "alice" is not the local user alice.
  return `${principal.method}${principal.token?.external ? ':idp' : ''}${SEP}${principal.id}`;
}

/** `?b=2&a=1&utm=x` → `a=1&b=2` with `utm` ignored; names compared decoded (`utm%5Fsource` is `utm_source`). */
export function normalizedQuery(query: string, ignored: ReadonlySet<string>): string {
  if (query === '' || query === '?') return '';
  const pairs = query.slice(1).split('&').filter((p) => p !== '').map((pair) => {
    const eq = pair.indexOf('=');
    return { name: decodeName(eq === -1 ? pair : pair.slice(0, eq)), pair };
  }).filter((p) => !ignored.has(p.name));
  pairs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return pairs.map((p) => p.pair).join('&');
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string {
  const v = headers[name];
  return v === undefined ? '' : typeof v === 'string' ? v : v.join(', ');
}

export interface KeyInput {
  routeId: string;
  path: string;
  query: string;
  principal: Pick<Principal, 'id' | 'method' | 'roles' | 'token'> | null;
  headers: Record<string, string | string[] | undefined>;
  /** What the backend is told of the origin (pipeline/cache-fetch.ts forwardedOrigin). */
  origin: string;
}

export function entryKey(cache: RouteCache, k: KeyInput): string {
  const variant = [k.origin, normalizedQuery(k.query, cache.ignoreQueryParams), ...cache.varyHeaders.map((h) => `${h}:${headerValue(k.headers, h)}`)].join(SEP);
  return `c:e:${k.routeId}:${hash(k.path)}:${hash(principalPart(cache.scope, k.principal))}:${hash(variant)}`;
}

/** The pattern of every entry of `path` (for one caller's principal part, or for all). */
export function pathPattern(path: string, principal: string | null): string {
  return `c:e:*:${hash(path)}:${principal === null ? '*' : hash(principal)}:*`;
}

/** The route id of an entry key (`c:e:<route id>:<22>:<22>:<22>`); null for any other key. */
export function routeOfKey(key: string): string | null {
  return key.startsWith('c:e:') && key.length > 4 + 69 ? key.slice(4, key.length - 69) : null;
}

export const lockKey = (key: string): string => `c:l:${key.slice(4)}`;

/** Tags every entry carries: everything, and its path (RFC 9111 4.4 invalidation, purge by path). */
export const ALL_TAG = 'all';
export const pathTag = (path: string): string => `path:${path}`;
/** One caller's entries of a path (user scope): what the admin purge of a path for a principal bumps. */
export const principalPathTag = (path: string, principal: string): string => `path:${path}\u0000${principal}`;

export const tagKey = (tag: string): string => `c:t:${hash(tag)}`;

/** A tag template filled for one request; null when a placeholder has no value (never guessed). */
export function resolveTag(template: TagTemplate, params: Record<string, string>, principal: Pick<Principal, 'id'> | null): string | null {
  let out = '';
  for (const part of template) {
    if ('text' in part) out += part.text;
    else if ('user' in part) {
      if (principal === null) return null;
      out += principal.id;
    } else {
      const value = params[part.param];
      if (value === undefined) return null;
      out += value;
    }
  }
  return out;
}

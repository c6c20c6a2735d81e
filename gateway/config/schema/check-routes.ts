import type { MatchableRoute } from '../route-table.js';
import { DEFAULT_IDENTITY_HEADERS } from '../../upstream/request-headers.js';
import { checkRouteCache, type CacheCheckContext, type CacheSection } from './cache.js';
import type { RawAuth } from './auth.js';
import { routeShape } from './compile-route.js';
import type { PathIssue } from './path-issue.js';
import { checkRouteRateLimit, type RateLimitsConfig } from './rate-limits.js';
import type { RawRoute } from './route.js';

/** Endpoints the gateway answers itself; operator routes cannot take these paths. */
export const BUILTIN_PATHS = ['/healthz', '/readyz'] as const;
/** The token endpoints, present when `auth` is configured; each checks its own credentials. */
export const AUTH_API_PREFIX = '/api/auth';

/** A section that failed its own schema: rules that need it are skipped rather than guessed. */
export const INVALID = Symbol('invalid section');
export type Parsed<T> = T | undefined | typeof INVALID;

/**
 * Rules across routes and sections. They run on whatever parsed, in the same pass as the schema's
 * own errors, so one `gateway check` shows every problem. `routes[i]` undefined: that route failed.
 */
export function checkRoutes(routes: readonly (RawRoute | undefined)[], auth: Parsed<RawAuth>, rateLimits: Parsed<RateLimitsConfig>, cache: Parsed<CacheSection>): PathIssue[] {
  const issues: PathIssue[] = [];
  const cacheContext: CacheCheckContext = {
    // The gateway strips the default names and the configured ones (upstream/header-policy.ts).
    identityHeaders: new Set([
      ...DEFAULT_IDENTITY_HEADERS,
      ...(auth !== undefined && auth !== INVALID ? Object.values(auth.identityHeaders).map((n) => n.toLowerCase()) : []),
    ]),
    maxTtlMs: cache !== undefined && cache !== INVALID ? cache.maxTtl : null,
  };
  const seen: { i: number; shape: MatchableRoute }[] = [];
  const ids = new Map<string, number>();
  routes.forEach((r, i) => {
    if (!r) return;
    const at = ['routes', i];
    if (rateLimits !== INVALID) issues.push(...checkRouteRateLimit(r.rateLimit, rateLimits, at));
    issues.push(...checkRouteAuth(r, auth, at));
    issues.push(...checkRouteCache(r, r.auth?.mode ?? 'none', routeParams(r), at, cacheContext));

    const shape = routeShape(r);
    const earlier = ids.get(shape.id);
    if (earlier !== undefined) issues.push({ path: [...at, 'id'], message: `duplicate route id "${shape.id}" (also routes[${earlier}])` });
    ids.set(shape.id, i);
    if (shape.kind === 'exact' && (BUILTIN_PATHS as readonly string[]).includes(shape.path)) {
      issues.push({ path: [...at, 'path'], message: `${shape.path} is answered by the gateway itself` });
    }
    if (auth !== undefined && (shape.path === AUTH_API_PREFIX || shape.path.startsWith(`${AUTH_API_PREFIX}/`))) {
      issues.push({ path: at, message: `${AUTH_API_PREFIX} belongs to the gateway's token endpoints` });
    }
    for (const other of seen) {
      if (other.shape.kind === shape.kind && other.shape.path === shape.path && methodsOverlap(other.shape.methods, shape.methods)) {
        issues.push({ path: at, message: `never matches: routes[${other.i}] has the same ${shape.kind === 'prefix' ? 'prefix' : 'path'} and methods` });
      }
    }
    seen.push({ i, shape });
  });
  return issues;
}

function checkRouteAuth(r: RawRoute, auth: Parsed<RawAuth>, at: PropertyKey[]): PathIssue[] {
  // Deny by default: a route says who may call it, even when the answer is anyone.
  if (r.auth === undefined) return [{ path: at, message: 'every route states auth: required, optional or none' }];
  if (r.auth.mode === 'none' || auth === INVALID) return [];
  if (auth === undefined) return [{ path: [...at, 'auth'], message: `auth "${r.auth.mode}" needs the top-level "auth" section` }];
  if (r.auth.methods.length === 1 && r.auth.methods[0] === 'apiKey' && !auth.apiKeys) {
    return [{ path: [...at, 'auth', 'methods'], message: 'apiKey needs auth.apiKeys' }];
  }
  return [];
}

function methodsOverlap(a: ReadonlySet<string> | null, b: ReadonlySet<string> | null): boolean {
  if (a === null || b === null) return true;
  for (const m of a) if (b.has(m)) return true;
  return false;
}

function routeParams(r: RawRoute): string[] {
  return (r.path ?? '').split('/').filter((s) => s.startsWith(':')).map((s) => s.slice(1));
}

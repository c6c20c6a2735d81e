import type { MatchableRoute } from '../route-table.js';
import { compileRouteCache, parseTagTemplate, type RouteCache, type TagTemplate } from './cache.js';
import type { RawAuth } from './auth.js';
import type { RawConfig } from '../schema.js';
import { compileUpstreams, UPSTREAM_DEFAULTS } from './upstream.js';
import { compileRouteIdempotency, type RouteIdempotency } from './idempotency.js';
import { routeCompression, type CompressionConfig } from './compression.js';
import { compileRouteRateLimit, type RouteRateLimit } from './rate-limits.js';
import { compileRouteHeaders, type CompiledRouteHeaders } from './route-headers.js';
import type { RawRoute } from './route.js';

/** Which credentials a route takes. Each mode carries only what it can have: `none` has no methods, only `required` has roles. */
export type RouteAuth =
  | { readonly mode: 'none'; readonly jwt: false; readonly apiKey: false; readonly roles: null; readonly forwardAuthorization: false }
  | { readonly mode: 'optional'; readonly jwt: boolean; readonly apiKey: boolean; readonly roles: null; readonly forwardAuthorization: boolean }
  /** roles null: any authenticated caller; a set is never empty (the schema asks for at least one). */
  | {
    readonly mode: 'required'; readonly jwt: boolean; readonly apiKey: boolean; readonly roles: ReadonlySet<string> | null; readonly forwardAuthorization: boolean;
    /** `Authorization: Bearer gwk_...` is taken as an API key (the admin listener only: nothing there forwards Authorization). */
    readonly apiKeyAsBearer?: true;
  };

export interface CompiledRoute extends MatchableRoute, CompiledRouteHeaders {
  readonly auth: RouteAuth;
  /** The resolved rate-limit policy and cost per request; null: not limited. */
  readonly rateLimit: RouteRateLimit | null;
  /** /healthz and /readyz: answered by the gateway, outside any operator policy. */
  readonly builtin: boolean;
  readonly target: 'backend' | 'gateway';
  readonly websocket: boolean;
  /** The upstream's name (config.upstreams); null for the gateway's own endpoints. */
  readonly upstream: string | null;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  readonly bodyLimit: number;
  /** Cache-Control added when the backend sends none; null: add nothing. */
  readonly defaultCacheControl: string | null;
  /** null: never touches cache code. */
  readonly cache: RouteCache | null;
  /** Tags a 2xx answer to this route invalidates; empty for most routes. */
  readonly invalidates: readonly TagTemplate[];
  /** Idempotency-Key deduplication; null: off. */
  readonly idempotency: RouteIdempotency | null;
  /** gzip/br settings for proxied responses; null: sent as the backend sends them. */
  readonly compression: CompressionConfig | null;
  /** JSON of the route as written, to tell what a reload changed. */
  readonly source: string;
}

export const NO_AUTH: RouteAuth = { mode: 'none', jwt: false, apiKey: false, roles: null, forwardAuthorization: false };

/** What the route table and the overlap checks need: id, kind, path and methods (GET implies HEAD). */
export function routeShape(r: Pick<RawRoute, 'id' | 'path' | 'prefix' | 'methods'>): MatchableRoute {
  const path = r.prefix ?? r.path;
  if (path === undefined) throw new Error('unchecked route: neither path nor prefix'); // the route schema refuses it
  const kind = r.prefix !== undefined ? 'prefix' : path.includes('/:') ? 'pattern' : 'exact';
  const methods = r.methods ? new Set<string>(r.methods) : null;
  // RFC 9110 9.3.2: HEAD is GET without the body, so a GET route answers HEAD too.
  if (methods?.has('GET')) methods.add('HEAD');
  return {
    id: r.id ?? `${kind === 'prefix' ? 'prefix' : 'path'}:${path}${r.methods ? `:${r.methods.join(',')}` : ''}`,
    kind,
    path: kind === 'prefix' && path !== '/' ? path.replace(/\/$/, '') : path,
    methods,
  };
}

export type RouteInput = Omit<RawRoute, 'cache' | 'invalidates' | 'securityHeaders' | 'rateLimit' | 'defaultCacheControl' | 'idempotency'> & Partial<Pick<RawRoute, 'cache' | 'invalidates' | 'securityHeaders' | 'rateLimit' | 'defaultCacheControl' | 'idempotency'>>;

export function compileRoute(r: RouteInput, raw: RawConfig, baseSecurity: readonly string[], builtin: boolean): CompiledRoute {
  const auth = compileRouteAuth(r.auth, raw.auth);
  const upstreamName = r.upstream ?? 'default';
  const up = (r.target === 'backend' ? compileUpstreams(raw.upstream, raw.upstreams)[upstreamName] : undefined) ?? UPSTREAM_DEFAULTS;
  return {
    ...routeShape(r),
    builtin,
    rateLimit: compileRouteRateLimit(r.rateLimit, raw.rateLimits, builtin),
    auth,
    target: r.target,
    websocket: r.websocket,
    upstream: r.target === 'backend' ? upstreamName : null,
    headersTimeout: r.timeouts.headers ?? up.headersTimeout,
    bodyTimeout: r.timeouts.body ?? up.bodyTimeout,
    bodyLimit: r.bodyLimit ?? raw.limits.bodyLimit,
    defaultCacheControl: defaultCacheControl(r, auth),
    cache: r.cache ? compileRouteCache(r.cache, auth.mode !== 'none') : null,
    invalidates: (r.invalidates ?? []).map(parseTagTemplate),
    idempotency: compileRouteIdempotency(r, { upstream: up, limits: raw.limits }),
    compression: routeCompression(r.compression, raw.compression, builtin || r.target === 'gateway'),
    ...compileRouteHeaders(r.headers, raw.securityHeaders, r.securityHeaders, baseSecurity),
    source: JSON.stringify(r),
  };
}

function compileRouteAuth(a: RawRoute['auth'], auth: RawAuth | undefined): RouteAuth {
  if (a === undefined || a.mode === 'none') return NO_AUTH;
  const common = {
    jwt: a.methods.includes('jwt'),
    apiKey: a.methods.includes('apiKey') && auth?.apiKeys !== undefined,
    forwardAuthorization: a.forwardAuthorization,
  };
  return a.mode === 'required' ? { mode: a.mode, ...common, roles: a.roles ? new Set(a.roles) : null } : { mode: a.mode, ...common, roles: null };
}

/**
 * A browser may keep a response without Cache-Control in its heuristic cache (RFC 9111 4.2.2);
 * a user's data should not be kept. A Cache-Control the route sets itself wins over this one.
 */
function defaultCacheControl(r: RouteInput, auth: RouteAuth): string | null {
  if (r.defaultCacheControl === false) return null;
  if (Object.keys(r.headers.response?.set ?? {}).some((k) => k.toLowerCase() === 'cache-control')) return null;
  return r.defaultCacheControl ?? (auth.mode === 'none' ? null : 'no-store');
}

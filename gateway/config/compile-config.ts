import { BlockList } from 'node:net';
import { resolve } from 'node:path';
import { RouteTable } from './route-table.js';
import { workerCount } from './schema/workers.js';
import type { RawConfig } from './schema.js';
import { compileAdminRoute } from './schema/admin-route.js';
import { compileAuth, type AuthConfig } from './schema/auth.js';
import { buildSecurityHeaders } from './schema/build-security-headers.js';
import { AUTH_API_PREFIX, BUILTIN_PATHS } from './schema/check-routes.js';
import { compileRoute, type CompiledRoute } from './schema/compile-route.js';
import type { CacheSection } from './schema/cache.js';
import type { CorsConfig } from './schema/cors.js';
import { buildBlockList, compileTls, type TlsConfig } from './schema/listeners.js';
import type { RateLimitsConfig } from './schema/rate-limits.js';
import type { StoreConfig } from './schema/store.js';
import { compileUpstreams, type UpstreamConfig } from './schema/upstream.js';
import type { SecretsMode } from './secrets.js';

export type { CompiledRoute, RouteAuth } from './schema/compile-route.js';
export type { RouteRateLimit, RateLimitPolicy } from './schema/rate-limits.js';
export type { RouteCache, TagTemplate, CacheSection } from './schema/cache.js';
export type { AuthConfig, JwtConfig } from './schema/auth.js';
export type { TlsConfig } from './schema/listeners.js';
export type { RedisConfig, StoreConfig } from './schema/store.js';
export type { CompressionConfig } from './schema/compression.js';
export { AUTH_API_PREFIX, BUILTIN_PATHS } from './schema/check-routes.js';
export { ADMIN_AUTH, ADMIN_ROLE } from './schema/admin-route.js';

/**
 * The config every other module reads: validated, narrowed, frozen. `M` is the secrets mode it
 * was loaded with; only `{ secrets: 'optional' }` loads give secrets that may be null.
 */
export interface GatewayConfig<M extends SecretsMode = 'strict'> {
  readonly file: string;
  readonly listeners: RawConfig['listeners'];
  /** null: any Host is accepted. */
  readonly hosts: ReadonlySet<string> | null;
  readonly tls: TlsConfig;
  readonly trustedProxies: BlockList | null;
  /** Every upstream by name; `upstream:` is the one called `default`. */
  readonly upstreams: Readonly<Record<string, UpstreamConfig>>;
  readonly store: StoreConfig;
  readonly cors: CorsConfig | undefined;
  readonly limits: RawConfig['limits'];
  readonly log: RawConfig['log'];
  /** Absolute; null: serve writes no PID file. */
  readonly pidFile: string | null;
  /** Processes serving the listeners, `auto` resolved; 1 never forks. */
  readonly workers: number;
  readonly auth: AuthConfig<M> | undefined;
  readonly rateLimits: RateLimitsConfig | undefined;
  readonly cache: CacheSection;
  /** Whether any route caches: without one, no request pays for cache code. */
  readonly caching: boolean;
  readonly compression: RawConfig['compression'];
  readonly routes: readonly CompiledRoute[];
  readonly table: RouteTable<CompiledRoute>;
  /** Headers for responses made before a route is known (400s, 404s). */
  readonly baseResponseHeaders: readonly string[];
  /** What every request to the admin listener is checked against; null without `listeners.admin`. */
  readonly adminRoute: CompiledRoute | null;
}

export interface CompileContext<M extends SecretsMode> {
  file: string;
  secrets: M;
}

/** Builds the runtime shapes from a validated document; validate-config has found every problem already. */
export function compileConfig<M extends SecretsMode>(raw: RawConfig, ctx: CompileContext<M>): GatewayConfig<M> {
  const baseSecurity = buildSecurityHeaders(raw.securityHeaders);
  const builtin = { target: 'gateway', websocket: false, timeouts: {}, headers: {}, auth: undefined } as const;
  const builtins = BUILTIN_PATHS.map((path) => compileRoute(
    { ...builtin, path, methods: ['GET', 'HEAD'], id: `gateway${path.replace('/', '.')}` }, raw, baseSecurity, true,
  ));
  if (raw.auth) {
    builtins.push({
      ...compileRoute({ ...builtin, prefix: AUTH_API_PREFIX, id: 'gateway.auth', bodyLimit: 16 * 1024 }, raw, baseSecurity, false),
      // Optional: /me and /logout need the caller's token; login and refresh carry their own credentials.
      auth: { mode: 'optional', jwt: true, apiKey: raw.auth.apiKeys !== undefined, roles: null, forwardAuthorization: false },
      // RFC 6749 5.1: token responses carry Cache-Control: no-store.
      defaultCacheControl: 'no-store',
    });
  }
  const all = [...builtins, ...raw.routes.map((r) => compileRoute(r, raw, baseSecurity, false))];
  return deepFreeze({
    file: ctx.file,
    listeners: raw.listeners,
    hosts: raw.hosts.length > 0 ? new Set(raw.hosts) : null,
    tls: compileTls(raw.tls),
    trustedProxies: buildBlockList(raw.trustedProxies),
    upstreams: compileUpstreams(raw.upstream, raw.upstreams),
    store: raw.store,
    cors: raw.cors,
    limits: raw.limits,
    log: raw.log,
    pidFile: raw.pidFile === undefined ? null : resolve(raw.pidFile),
    workers: workerCount(raw.workers),
    auth: raw.auth && compileAuth(raw.auth, ctx.secrets),
    rateLimits: raw.rateLimits,
    cache: raw.cache,
    caching: all.some((r) => r.cache !== null),
    compression: raw.compression,
    routes: all,
    table: new RouteTable(all),
    baseResponseHeaders: baseSecurity,
    adminRoute: compileAdminRoute(raw, baseSecurity),
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)
    && !(value instanceof BlockList) && !(value instanceof Map) && !(value instanceof Set) && !(value instanceof RouteTable)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

import { BlockList, isIP } from 'node:net';
import { resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { buildSecurityHeaders, SECURITY_HEADER_NAMES } from './build-security-headers.js';
import { RouteTable, type MatchableRoute } from './route-table.js';
import type { CorsConfig, RawConfig, RawRoute } from './schema.js';

export interface RouteAuth {
  readonly mode: 'required' | 'optional' | 'none';
  readonly jwt: boolean;
  readonly apiKey: boolean;
  /** null: any authenticated caller. */
  readonly roles: ReadonlySet<string> | null;
  readonly forwardAuthorization: boolean;
}

export interface CompiledRoute extends MatchableRoute {
  readonly auth: RouteAuth;
  /** The rate-limit policy name and cost per request; null: not limited. */
  readonly rateLimit: { readonly policy: string; readonly cost: number } | null;
  /** /healthz and /readyz: answered by the gateway, outside any operator policy. */
  readonly builtin: boolean;
  readonly target: 'backend' | 'gateway';
  readonly websocket: boolean;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  readonly bodyLimit: number;
  /** Lower-case header names and values the gateway sets on the request to the backend. */
  readonly requestSet: readonly (readonly [string, string])[];
  readonly requestRemove: ReadonlySet<string>;
  /** Flat [name, value, ...] added to every response on this route: security headers and `set`. */
  readonly responseHeaders: readonly string[];
  /** Backend response headers dropped on this route (server, x-powered-by, the gateway's own names). */
  readonly responseDrop: ReadonlySet<string>;
  /** JSON of the route as written, to tell what a reload changed. */
  readonly source: string;
}

export interface GatewayConfig {
  readonly file: string;
  readonly listeners: RawConfig['listeners'];
  /** null: any Host is accepted. */
  readonly hosts: ReadonlySet<string> | null;
  readonly tls: RawConfig['tls'];
  readonly trustedProxies: BlockList | null;
  readonly upstream: RawConfig['upstream'];
  readonly store: RawConfig['store'];
  readonly cors: CorsConfig | undefined;
  readonly limits: RawConfig['limits'];
  readonly log: RawConfig['log'];
  readonly auth: RawConfig['auth'];
  readonly rateLimits: RawConfig['rateLimits'];
  readonly routes: readonly CompiledRoute[];
  readonly table: RouteTable<CompiledRoute>;
  /** Headers for responses made before a route is known (400s, 404s). */
  readonly baseResponseHeaders: readonly string[];
}

export interface CompileContext {
  file: string;
  locate: (path: readonly PropertyKey[]) => Omit<ConfigIssue, 'message'>;
}

/** Endpoints the gateway answers itself; operator routes cannot take these paths. */
export const BUILTIN_PATHS = ['/healthz', '/readyz'] as const;
/** The token endpoints, present when `auth` is configured; each checks its own credentials. */
export const AUTH_API_PREFIX = '/api/auth';

const NO_AUTH: RouteAuth = { mode: 'none', jwt: false, apiKey: false, roles: null, forwardAuthorization: false };

const ALWAYS_DROPPED = ['server', 'x-powered-by'];

export function compileConfig(raw: RawConfig, ctx: CompileContext): GatewayConfig {
  const issues: ConfigIssue[] = [];
  const baseSecurity = buildSecurityHeaders(raw.securityHeaders);

  const builtins = BUILTIN_PATHS.map((path) => compileRoute(
    { path, methods: ['GET', 'HEAD'], target: 'gateway', websocket: false, timeouts: {}, headers: {}, id: `gateway${path.replace('/', '.')}`, auth: undefined },
    raw, baseSecurity, true,
  ));
  if (raw.auth) {
    builtins.push({
      ...compileRoute({ prefix: AUTH_API_PREFIX, target: 'gateway', websocket: false, timeouts: {}, headers: {}, id: 'gateway.auth', auth: undefined, bodyLimit: 16 * 1024 }, raw, baseSecurity, false),
      // Optional: /me and /logout need the caller's token; login and refresh carry their own credentials.
      auth: { mode: 'optional', jwt: true, apiKey: raw.auth.apiKeys !== undefined, roles: null, forwardAuthorization: false },
    });
  }
  const routes = raw.routes.map((r) => compileRoute(r, raw, baseSecurity, false));

  const ids = new Map<string, number>();
  routes.forEach((route, i) => {
    const earlier = ids.get(route.id);
    if (earlier !== undefined) {
      issues.push({ ...ctx.locate(['routes', i, 'id']), message: `duplicate route id "${route.id}" (also routes[${earlier}])` });
    }
    ids.set(route.id, i);
    if (route.kind === 'exact' && (BUILTIN_PATHS as readonly string[]).includes(route.path)) {
      issues.push({ ...ctx.locate(['routes', i, 'path']), message: `${route.path} is answered by the gateway itself` });
    }
    if (raw.auth && (route.path === AUTH_API_PREFIX || route.path.startsWith(`${AUTH_API_PREFIX}/`))) {
      issues.push({ ...ctx.locate(['routes', i]), message: `${AUTH_API_PREFIX} belongs to the gateway's token endpoints` });
    }
    for (let j = 0; j < i; j++) {
      const other = routes[j]!;
      if (other.kind === route.kind && other.path === route.path && methodsOverlap(other.methods, route.methods)) {
        issues.push({ ...ctx.locate(['routes', i]), message: `never matches: routes[${j}] has the same ${route.kind === 'prefix' ? 'prefix' : 'path'} and methods` });
      }
    }
  });
  if (raw.hosts.some((h) => h.includes('/') || h.includes(' '))) {
    issues.push({ ...ctx.locate(['hosts']), message: 'expected host names like "api.example.com"' });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const all = [...builtins, ...routes];
  return deepFreeze({
    file: ctx.file,
    listeners: raw.listeners,
    hosts: raw.hosts.length > 0 ? new Set(raw.hosts) : null,
    tls: {
      ...raw.tls,
      certDir: resolve(raw.tls.certDir),
      cert: raw.tls.cert === undefined ? undefined : resolve(raw.tls.cert),
      key: raw.tls.key === undefined ? undefined : resolve(raw.tls.key),
    },
    trustedProxies: buildBlockList(raw.trustedProxies),
    upstream: raw.upstream,
    store: raw.store,
    cors: raw.cors,
    limits: raw.limits,
    log: raw.log,
    auth: raw.auth && {
      ...raw.auth,
      jwt: {
        ...raw.auth.jwt,
        privateKeyFile: raw.auth.jwt.privateKeyFile && resolve(raw.auth.jwt.privateKeyFile),
        publicKeyFile: raw.auth.jwt.publicKeyFile && resolve(raw.auth.jwt.publicKeyFile),
      },
      users: raw.auth.users && { file: resolve(raw.auth.users.file) },
      apiKeys: raw.auth.apiKeys && { ...raw.auth.apiKeys, file: resolve(raw.auth.apiKeys.file) },
    },
    rateLimits: raw.rateLimits,
    routes: all,
    table: new RouteTable(all),
    baseResponseHeaders: baseSecurity,
  });
}

type RouteInput = Pick<RawRoute, 'path' | 'prefix' | 'methods' | 'target' | 'websocket' | 'timeouts' | 'headers' | 'id' | 'bodyLimit' | 'securityHeaders' | 'auth' | 'rateLimit'>;

function compileRoute(r: RouteInput, raw: RawConfig, baseSecurity: string[], builtin: boolean): CompiledRoute {
  const path = (r.path ?? r.prefix)!;
  const kind = r.prefix !== undefined ? 'prefix' : path.includes('/:') ? 'pattern' : 'exact';
  const methods = r.methods ? new Set<string>(r.methods) : null;
  // RFC 9110 9.3.2: HEAD is GET without the body, so a GET route answers HEAD too.
  if (methods?.has('GET')) methods.add('HEAD');

  const security = r.securityHeaders ? buildSecurityHeaders(raw.securityHeaders, r.securityHeaders) : baseSecurity;
  const responseSet = Object.entries(r.headers.response?.set ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const);
  const responseHeaders = [...security];
  for (const [k, v] of responseSet) {
    const at = responseHeaders.findIndex((name, i) => i % 2 === 0 && name === k);
    if (at >= 0) responseHeaders[at + 1] = v;
    else responseHeaders.push(k, v);
  }
  const responseDrop = new Set([
    ...ALWAYS_DROPPED, ...SECURITY_HEADER_NAMES,
    ...responseSet.map(([k]) => k),
    ...(r.headers.response?.remove ?? []).map((h) => h.toLowerCase()),
  ]);

  return {
    id: r.id ?? `${kind === 'prefix' ? 'prefix' : 'path'}:${path}${r.methods ? `:${r.methods.join(',')}` : ''}`,
    kind,
    builtin,
    rateLimit: rateLimitOf(r, raw, builtin),
    auth: r.auth === undefined || r.auth.mode === 'none' ? NO_AUTH : {
      mode: r.auth.mode,
      jwt: r.auth.methods.includes('jwt'),
      apiKey: r.auth.methods.includes('apiKey') && raw.auth?.apiKeys !== undefined,
      roles: r.auth.roles ? new Set(r.auth.roles) : null,
      forwardAuthorization: r.auth.forwardAuthorization,
    },
    path: kind === 'prefix' && path !== '/' ? path.replace(/\/$/, '') : path,
    methods,
    target: r.target,
    websocket: r.websocket,
    headersTimeout: r.timeouts.headers ?? raw.upstream.headersTimeout,
    bodyTimeout: r.timeouts.body ?? raw.upstream.bodyTimeout,
    bodyLimit: r.bodyLimit ?? raw.limits.bodyLimit,
    requestSet: Object.entries(r.headers.request?.set ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const),
    requestRemove: new Set((r.headers.request?.remove ?? []).map((h) => h.toLowerCase())),
    responseHeaders,
    responseDrop,
    source: JSON.stringify(r),
  };
}

/** A route's own policy, else the default one; built-in routes (health probes) are never limited. */
function rateLimitOf(r: RouteInput, raw: RawConfig, builtin: boolean): CompiledRoute['rateLimit'] {
  if (builtin || !raw.rateLimits) return null;
  if (r.rateLimit === null) return null; // rateLimit: none
  const name = r.rateLimit?.policy ?? raw.rateLimits.default;
  if (name === undefined) return null;
  return { policy: name, cost: r.rateLimit?.cost ?? raw.rateLimits.policies[name]!.cost };
}

function methodsOverlap(a: ReadonlySet<string> | null, b: ReadonlySet<string> | null): boolean {
  if (a === null || b === null) return true;
  for (const m of a) if (b.has(m)) return true;
  return false;
}

function buildBlockList(cidrs: readonly string[]): BlockList | null {
  if (cidrs.length === 0) return null;
  const list = new BlockList();
  for (const entry of cidrs) {
    const [addr, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  return list;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)
    && !(value instanceof BlockList) && !(value instanceof Map) && !(value instanceof Set) && !(value instanceof RouteTable)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

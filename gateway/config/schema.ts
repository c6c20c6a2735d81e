import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDuration, parseSize } from './units.js';

/** The YAML file's shape. Durations and sizes leave this module as numbers. */

const duration = z.any().transform((v, ctx) => {
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "30s", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return ms;
});

const size = z.any().transform((v, ctx) => {
  const bytes = typeof v === 'string' ? parseSize(v) : undefined;
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a size like "1mb" or "16kb", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return bytes;
});

// A quoted "${PORT}" arrives as a string; digits are still a port.
const port = z.preprocess(
  (v) => (typeof v === 'string' && /^\d{1,5}$/.test(v) ? Number(v) : v),
  z.number({ error: 'expected a port number' }).int().min(0, 'expected a port number 0-65535').max(65535, 'expected a port number 0-65535'),
);
const hostAddress = z.string().min(1);

const listener = z.strictObject({ host: hostAddress.default('0.0.0.0'), port });

const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const headerName = z.string().regex(HTTP_TOKEN, 'expected an HTTP header name');
// RFC 9110 5.5: field values never contain CR, LF or NUL.
const headerValue = z.string().regex(/^[^\r\n\0]*$/, 'header values cannot contain CR, LF or NUL');

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof METHODS)[number];
const method = z.enum(METHODS, { error: `expected one of ${METHODS.join(', ')}` });

const headerOps = z.strictObject({
  set: z.record(headerName, headerValue).default({}),
  remove: z.array(headerName).default([]),
});
// Framing and connection headers belong to each hop; the backend's connection is the pool's.
const FRAMING = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect', 'content-length', 'proxy-connection']);
const requestHeaderOps = z.strictObject({
  set: z.record(headerName.refine((n) => !FRAMING.has(n.toLowerCase()), 'connection and framing headers cannot be set'), headerValue).default({}),
  remove: z.array(headerName).default([]),
});

const securityHeaderFields = {
  hsts: z.union([z.literal(false), z.strictObject({
    maxAge: duration.default(365 * 86_400_000),
    includeSubDomains: z.boolean().default(true),
    preload: z.boolean().default(false),
  })]),
  contentSecurityPolicy: z.union([z.literal(false), headerValue]),
  frameOptions: z.union([z.literal(false), z.enum(['DENY', 'SAMEORIGIN'])]),
  referrerPolicy: z.union([z.literal(false), headerValue]),
  permissionsPolicy: z.union([z.literal(false), headerValue]),
  crossOriginOpenerPolicy: z.union([z.literal(false), headerValue]),
  crossOriginResourcePolicy: z.union([z.literal(false), headerValue]),
};

export const SECURITY_HEADER_DEFAULTS = {
  hsts: { maxAge: 365 * 86_400_000, includeSubDomains: true, preload: false },
  contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
  frameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
  permissionsPolicy: 'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()',
  crossOriginOpenerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
} as const;

const securityHeaders = z.strictObject({
  hsts: securityHeaderFields.hsts.default(SECURITY_HEADER_DEFAULTS.hsts),
  contentSecurityPolicy: securityHeaderFields.contentSecurityPolicy.default(SECURITY_HEADER_DEFAULTS.contentSecurityPolicy),
  frameOptions: securityHeaderFields.frameOptions.default(SECURITY_HEADER_DEFAULTS.frameOptions),
  referrerPolicy: securityHeaderFields.referrerPolicy.default(SECURITY_HEADER_DEFAULTS.referrerPolicy),
  permissionsPolicy: securityHeaderFields.permissionsPolicy.default(SECURITY_HEADER_DEFAULTS.permissionsPolicy),
  crossOriginOpenerPolicy: securityHeaderFields.crossOriginOpenerPolicy.default(SECURITY_HEADER_DEFAULTS.crossOriginOpenerPolicy),
  crossOriginResourcePolicy: securityHeaderFields.crossOriginResourcePolicy.default(SECURITY_HEADER_DEFAULTS.crossOriginResourcePolicy),
});
const securityHeadersOverride = z.strictObject({
  hsts: securityHeaderFields.hsts.optional(),
  contentSecurityPolicy: securityHeaderFields.contentSecurityPolicy.optional(),
  frameOptions: securityHeaderFields.frameOptions.optional(),
  referrerPolicy: securityHeaderFields.referrerPolicy.optional(),
  permissionsPolicy: securityHeaderFields.permissionsPolicy.optional(),
  crossOriginOpenerPolicy: securityHeaderFields.crossOriginOpenerPolicy.optional(),
  crossOriginResourcePolicy: securityHeaderFields.crossOriginResourcePolicy.optional(),
});

const origin = z.string().refine((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o), 'expected an origin like "https://app.example.com" or "*"');
const cors = z.strictObject({
  origins: z.array(origin).min(1),
  methods: z.array(method).default(['GET', 'HEAD', 'POST']),
  headers: z.array(headerName).default(['Authorization', 'Content-Type', 'X-API-Key', 'X-Request-Id']),
  exposeHeaders: z.array(headerName).default(['X-Request-Id']),
  credentials: z.boolean().default(false),
  maxAge: duration.default(600_000),
}).refine((c) => !(c.credentials && c.origins.includes('*')), {
  message: 'credentials: true cannot be combined with the "*" origin (browsers reject it, and it would trust every site)',
  path: ['credentials'],
});

const cidr = z.string().refine((s) => {
  const [addr, bits, extra] = s.split('/');
  if (extra !== undefined || !addr || isIP(addr) === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (isIP(addr) === 4 ? 32 : 128);
}, 'expected an IP address or CIDR like "10.0.0.0/8"');

const reserved = (what: string) =>
  z.any().refine(() => false, `not supported yet: ${what} arrives with a later release; remove the key rather than have it ignored`);

const SEGMENT = /^(?::[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9\-._~!$&'()*+,;=:@]+)$/;
const routePath = z.string().refine(
  (p) => p === '/' || (p.startsWith('/') && p.slice(1).replace(/\/$/, '').split('/').every((s) => SEGMENT.test(s) && s !== '.' && s !== '..')),
  'expected a normalized path like "/api/orders" or "/api/orders/:id" (no "//", "." or ".." segments)',
);

const ROLE = /^[A-Za-z0-9_.:-]{1,64}$/;
const role = z.string().regex(ROLE, 'expected a role name (letters, digits, "_", ".", ":" or "-")');

/** Per-route policy. `auth: required` is short for `{ mode: required }` with both methods. */
const routeAuth = z.union([
  z.enum(['required', 'optional', 'none'], { error: 'expected required, optional, none or { mode, methods, roles }' }),
  z.strictObject({
    mode: z.enum(['required', 'optional', 'none']),
    methods: z.array(z.enum(['jwt', 'apiKey'])).min(1).default(['jwt', 'apiKey']),
    roles: z.array(role).min(1).optional(),
    forwardAuthorization: z.boolean().default(false),
  }),
]).transform((a) => (typeof a === 'string' ? { mode: a, methods: ['jwt', 'apiKey'] as ('jwt' | 'apiKey')[], roles: undefined, forwardAuthorization: false } : a))
  .refine((a) => !(a.mode === 'none' && a.roles), { message: 'roles need auth mode "required"', path: ['roles'] })
  .refine((a) => !(a.mode === 'optional' && a.roles), { message: 'roles need auth mode "required" (an anonymous caller has none)', path: ['roles'] });

const secret = (what: string) => z.string().refine((s) => Buffer.byteLength(s) >= 32, `${what} must be at least 32 bytes (openssl rand -base64 48)`);

const auth = z.strictObject({
  jwt: z.strictObject({
    issuer: z.string().min(1).default('security-gateway'),
    audience: z.string().min(1).default('trading-api'),
    algorithm: z.enum(['HS256', 'RS256', 'ES256', 'EdDSA']).default('HS256'),
    secret: secret('auth.jwt.secret').optional(),
    privateKeyFile: z.string().optional(),
    publicKeyFile: z.string().optional(),
    accessTtl: duration.default(30 * 60_000),
    refreshTtl: duration.default(7 * 86_400_000),
    clockTolerance: duration.default(30_000),
    refreshGrace: duration.default(5000),
  }).superRefine((j, ctx) => {
    if (j.algorithm === 'HS256' && !j.secret) ctx.addIssue({ code: 'custom', path: ['secret'], message: 'HS256 needs a secret: set JWT_SECRET to at least 32 random bytes (openssl rand -base64 48)' });
    if (j.algorithm !== 'HS256' && (!j.privateKeyFile || !j.publicKeyFile)) ctx.addIssue({ code: 'custom', message: `${j.algorithm} needs privateKeyFile and publicKeyFile` });
    if (j.algorithm !== 'HS256' && j.secret) ctx.addIssue({ code: 'custom', path: ['secret'], message: `a secret has no use with ${j.algorithm}; remove it` });
  }),
  jwks: z.strictObject({
    url: z.string().url('expected the JWKS URL of the identity provider'),
    issuer: z.string().min(1),
    audience: z.string().min(1),
    algorithms: z.array(z.enum(['RS256', 'ES256', 'EdDSA', 'PS256'])).min(1).default(['RS256', 'ES256']),
    rolesClaim: z.string().default('roles'),
    refreshInterval: duration.default(600_000),
    cooldown: duration.default(30_000),
  }).optional(),
  users: z.strictObject({ file: z.string() }).optional(),
  apiKeys: z.strictObject({ file: z.string(), secret: secret('auth.apiKeys.secret') }).optional(),
  argon2: z.strictObject({
    memoryKiB: z.number().int().min(8192).default(19_456),
    iterations: z.number().int().min(1).default(2),
    parallelism: z.number().int().min(1).default(1),
  }).default({ memoryKiB: 19_456, iterations: 2, parallelism: 1 }),
  login: z.strictObject({
    failuresPerUserAndIp: z.number().int().min(1).default(5),
    failuresPerIp: z.number().int().min(1).default(50),
    window: duration.default(15 * 60_000),
  }).default({ failuresPerUserAndIp: 5, failuresPerIp: 50, window: 15 * 60_000 }),
  identityHeaders: z.strictObject({
    user: headerName.default('X-User-Id'),
    roles: headerName.default('X-User-Roles'),
    method: headerName.default('X-Auth-Method'),
  }).default({ user: 'X-User-Id', roles: 'X-User-Roles', method: 'X-Auth-Method' }),
  onStoreError: z.enum(['deny', 'allow']).default('deny'),
});

const LIMIT_KEYS = ['user', 'apiKey', 'ip', 'route'] as const;
const limit = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'expected a short name (letters, digits, "_", ".", "-")').optional(),
  points: z.number().int().min(1),
  duration: duration,
  block: duration.optional(),
  key: z.array(z.enum(LIMIT_KEYS)).min(1).default(['user']),
});
const policy = z.strictObject({
  limits: z.array(limit).min(1),
  cost: z.number().int().min(1).default(1),
  overrides: z.strictObject({
    roles: z.record(role, z.number().positive()).default({}),
    apiKeys: z.record(z.string(), z.number().positive()).default({}),
  }).default({ roles: {}, apiKeys: {} }),
});
const rateLimits = z.strictObject({
  /** The policy of routes that name none; absent: such routes are not limited. */
  default: z.string().optional(),
  /** Per client IP, before any token is verified, on routes that authenticate. */
  unauthenticated: z.strictObject({ points: z.number().int().min(1), duration: duration }).optional(),
  policies: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/), policy).default({}),
}).superRefine((r, ctx) => {
  if (r.default !== undefined && !(r.default in r.policies)) ctx.addIssue({ code: 'custom', path: ['default'], message: `no policy named "${r.default}"` });
});
const routeRateLimit = z.union([
  z.literal('none'),
  z.string(),
  z.strictObject({ policy: z.string(), cost: z.number().int().min(1).optional() }),
]).transform((r) => (r === 'none' ? null : typeof r === 'string' ? { policy: r, cost: undefined } : r));

const route = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'expected letters, digits, "_", ".", ":" or "-"').optional(),
  path: routePath.optional(),
  prefix: routePath.optional(),
  methods: z.array(method).min(1).optional(),
  target: z.enum(['backend', 'gateway']).default('backend'),
  websocket: z.boolean().default(false),
  timeouts: z.strictObject({ headers: duration.optional(), body: duration.optional() }).default({}),
  bodyLimit: size.optional(),
  headers: z.strictObject({ request: requestHeaderOps.optional(), response: headerOps.optional() }).default({}),
  securityHeaders: securityHeadersOverride.optional(),
  auth: routeAuth.optional(),
  rateLimit: routeRateLimit.optional(),
  cache: reserved('response caching').optional(),
}).superRefine((r, ctx) => {
  if ((r.path === undefined) === (r.prefix === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'a route needs exactly one of "path" (exact or :param pattern) or "prefix"' });
  }
  if (r.prefix !== undefined && r.prefix.includes('/:')) {
    ctx.addIssue({ code: 'custom', path: ['prefix'], message: 'a prefix cannot contain :params; use "path" for patterns' });
  }
  if (r.websocket && r.target !== 'backend') {
    ctx.addIssue({ code: 'custom', path: ['websocket'], message: 'only backend routes can carry WebSocket upgrades' });
  }
});

const redis = z.strictObject({
  // "" (what ${REDIS_URL:-} gives when unset) means no Redis: see the store transform below.
  url: z.string().regex(/^(rediss?:\/\/.+)?$/, 'expected a redis:// or rediss:// URL').optional(),
  sentinels: z.array(z.strictObject({ host: hostAddress, port })).min(1).optional(),
  name: z.string().min(1).optional(),
  cluster: z.array(z.strictObject({ host: hostAddress, port })).min(1).optional(),
  keyPrefix: z.string().default('gw:'),
  commandTimeout: duration.default(250),
  connectTimeout: duration.default(2000),
}).superRefine((r, ctx) => {
  const modes = [r.url || undefined, r.sentinels, r.cluster].filter((m) => m !== undefined).length;
  if (modes > 1 || (modes === 0 && r.url === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of "url", "sentinels" (with "name") or "cluster"' });
  if (r.sentinels && !r.name) ctx.addIssue({ code: 'custom', path: ['name'], message: 'Sentinel needs the master "name"' });
});

const httpUrl = z.string().refine((u) => {
  try {
    const parsed = new URL(u);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.pathname === '/' && !parsed.search && !parsed.username;
  } catch {
    return false;
  }
}, 'expected an origin URL like "http://127.0.0.1:8000" (no path, query or credentials)');

export const configSchema = z.strictObject({
  listeners: z.strictObject({
    https: listener,
    http: listener.extend({ redirectPort: port.optional() }).optional(),
    admin: listener.extend({ host: hostAddress.default('127.0.0.1') }).optional(),
  }),
  hosts: z.array(z.string().min(1).transform((h) => h.toLowerCase())).default([]),
  tls: z.strictObject({
    mode: z.enum(['self-signed', 'files']),
    certDir: z.string().default('certs'),
    cert: z.string().optional(),
    key: z.string().optional(),
    watchInterval: duration.default(2000),
  }).superRefine((t, ctx) => {
    if (t.mode === 'files' && (!t.cert || !t.key)) {
      ctx.addIssue({ code: 'custom', message: 'mode "files" needs both "cert" and "key" paths' });
    }
  }),
  trustedProxies: z.array(cidr).default([]),
  upstream: z.strictObject({
    url: httpUrl,
    connections: z.number().int().min(1).max(10_000).default(64),
    connectTimeout: duration.default(5000),
    headersTimeout: duration.default(30_000),
    bodyTimeout: duration.default(30_000),
    // uvicorn closes idle keep-alive sockets after 5 s; reusing one it is closing loses the request.
    keepAliveTimeout: duration.default(4000),
    preserveHost: z.boolean().default(false),
    retryIdempotent: z.boolean().default(true),
    /** Path /readyz requests to tell whether the backend answers. */
    healthPath: z.string().startsWith('/').default('/health'),
  }),
  store: z.strictObject({ redis: redis.optional() }).default({})
    // An empty Redis URL with no Sentinel or Cluster is the embedded memory store, so one file
    // serves both: `redis: { url: "${REDIS_URL:-}" }`.
    .transform((s) => (s.redis && !s.redis.url && !s.redis.sentinels && !s.redis.cluster ? {} : s)),
  securityHeaders: securityHeaders.default(securityHeaders.parse({})),
  cors: cors.optional(),
  limits: z.strictObject({
    headersTimeout: duration.default(10_000),
    requestTimeout: duration.default(30_000),
    keepAliveTimeout: duration.default(5000),
    maxHeaderSize: size.default(16 * 1024),
    maxHeaders: z.number().int().min(1).max(2000).default(100),
    bodyLimit: size.default(1024 * 1024),
    maxConnections: z.number().int().min(1).optional(),
    shutdownGrace: duration.default(10_000),
  }).refine((l) => l.headersTimeout <= l.requestTimeout, {
    message: 'headersTimeout cannot be longer than requestTimeout', path: ['headersTimeout'],
  }).default(() => ({
    headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5000, maxHeaderSize: 16 * 1024,
    maxHeaders: 100, bodyLimit: 1024 * 1024, shutdownGrace: 10_000,
  })),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info') }).default({ level: 'info' }),
  auth: auth.optional(),
  rateLimits: rateLimits.optional(),
  routes: z.array(route).min(1, 'expected at least one route'),
}).superRefine((c, ctx) => {
  c.routes.forEach((r, i) => {
    if (r.rateLimit && !(r.rateLimit.policy in (c.rateLimits?.policies ?? {}))) {
      ctx.addIssue({ code: 'custom', path: ['routes', i, 'rateLimit'], message: `no policy named "${r.rateLimit.policy}" under rateLimits.policies` });
    }
    // Deny by default: a route says who may call it, even when the answer is anyone.
    if (r.auth === undefined) {
      ctx.addIssue({ code: 'custom', path: ['routes', i], message: 'every route states auth: required, optional or none' });
    } else if (r.auth.mode !== 'none' && !c.auth) {
      ctx.addIssue({ code: 'custom', path: ['routes', i, 'auth'], message: `auth "${r.auth.mode}" needs the top-level "auth" section` });
    } else if (r.auth.mode !== 'none' && r.auth.methods.includes('apiKey') && !c.auth?.apiKeys && r.auth.methods.length === 1) {
      ctx.addIssue({ code: 'custom', path: ['routes', i, 'auth', 'methods'], message: 'apiKey needs auth.apiKeys' });
    }
  });
});

export type RawConfig = z.output<typeof configSchema>;
export type RawRoute = RawConfig['routes'][number];
export type SecurityHeadersConfig = RawConfig['securityHeaders'];
export type SecurityHeadersOverride = z.output<typeof securityHeadersOverride>;
export type CorsConfig = z.output<typeof cors>;

import { z } from 'zod';
import { invalidatesSchema, routeCacheSchema } from './cache.js';
import { bool, duration, headerValue, listOf, method, oneOf, role, size } from './fields.js';
import { checkRouteIdempotency, routeIdempotencySchema } from './idempotency.js';
import { routeRateLimitSchema } from './rate-limits.js';
import { routeHeadersSchema } from './route-headers.js';
import { securityHeadersOverrideSchema } from './security-headers.js';

/** One entry of `routes:` as written. Its compile step is compile-route.ts; cross-route rules are check-routes.ts. */

const SEGMENT = /^(?::[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9\-._~!$&'()*+,;=:@]+)$/;
const routePath = z.string().refine(
  (p) => p === '/' || (p.startsWith('/') && p.slice(1).replace(/\/$/, '').split('/').every((s) => SEGMENT.test(s) && s !== '.' && s !== '..')),
  'expected a normalized path like "/api/orders" or "/api/orders/:id" (no "//", "." or ".." segments)',
);

const AUTH_MODES = ['required', 'optional', 'none'] as const;
type AuthMethod = 'jwt' | 'apiKey';

/** `auth: required` is short for `{ mode: required }` with both methods. */
const routeAuth = oneOf('"required", "optional", "none" or { mode, roles, methods, forwardAuthorization }', [
  z.enum(AUTH_MODES),
  z.strictObject({
    mode: z.enum(AUTH_MODES, { error: 'expected "required", "optional" or "none"' }),
    methods: listOf(z.enum(['jwt', 'apiKey'], { error: 'expected "jwt" or "apiKey"' }), 'jwt, apiKey').min(1).default(['jwt', 'apiKey']),
    roles: listOf(role, 'trader, admin', 'expected at least one role, like [trader, admin]; leave roles out to admit any authenticated caller').min(1).optional(),
    forwardAuthorization: bool.default(false),
  }),
]).transform((a) => (typeof a === 'string' ? { mode: a, methods: ['jwt', 'apiKey'] as AuthMethod[], roles: undefined, forwardAuthorization: false } : a))
  .refine((a) => !(a.mode === 'none' && a.roles), { message: 'roles need auth mode "required"', path: ['roles'] })
  .refine((a) => !(a.mode === 'optional' && a.roles), { message: 'roles need auth mode "required" (an anonymous caller has none)', path: ['roles'] });

export const routeSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'expected letters, digits, "_", ".", ":" or "-"').optional(),
  path: routePath.optional(),
  prefix: routePath.optional(),
  methods: listOf(method, 'GET, POST').min(1).optional(),
  target: z.enum(['backend', 'gateway']).default('backend'),
  websocket: bool.default(false),
  /** The named upstream a backend route goes to (`upstreams.NAME`, or `upstream:` as `default`). */
  upstream: z.string().optional(),
  timeouts: z.strictObject({ headers: duration.optional(), body: duration.optional() }).default({}),
  bodyLimit: size.optional(),
  headers: routeHeadersSchema,
  securityHeaders: securityHeadersOverrideSchema.optional(),
  auth: routeAuth.optional(),
  rateLimit: routeRateLimitSchema.optional(),
  /** Added when the backend sends no Cache-Control; default "no-store" where auth is not none. */
  defaultCacheControl: oneOf('a Cache-Control value like "no-store" or false', [z.literal(false), headerValue.min(1)]).optional(),
  cache: routeCacheSchema.optional(),
  /** Tags whose cached entries a 2xx answer to this route makes stale everywhere. */
  invalidates: invalidatesSchema.optional(),
  idempotency: routeIdempotencySchema.optional(),
  /** false: never code this route's responses; true: code them even when `compression.enabled` is false. */
  compression: bool.optional(),
}).superRefine((r, ctx) => {
  if ((r.path === undefined) === (r.prefix === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'a route needs exactly one of "path" (exact or :param pattern) or "prefix"' });
  }
  if (r.prefix !== undefined && r.prefix.includes('/:')) {
    ctx.addIssue({ code: 'custom', path: ['prefix'], message: 'a prefix cannot contain :params; use "path" for patterns' });
  }
  if (r.upstream !== undefined && r.target !== 'backend') {
    ctx.addIssue({ code: 'custom', path: ['upstream'], message: 'only backend routes go to an upstream' });
  }
  if (r.websocket && r.target !== 'backend') {
    ctx.addIssue({ code: 'custom', path: ['websocket'], message: 'only backend routes can carry WebSocket upgrades' });
  }
  // RFC 6455 4.1: the handshake is a GET; a route that refuses GET would refuse every one.
  if (r.websocket && r.methods && !r.methods.includes('GET')) {
    ctx.addIssue({ code: 'custom', path: ['methods'], message: 'a WebSocket handshake is a GET: add GET to methods, or remove websocket: true' });
  }
  for (const issue of checkRouteIdempotency(r)) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
});
export type RawRoute = z.output<typeof routeSchema>;

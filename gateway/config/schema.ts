import { z } from 'zod';
import { authSchema } from './schema/auth.js';
import { cacheSectionSchema } from './schema/cache.js';
import { compressionSchema } from './schema/compression.js';
import { corsSchema } from './schema/cors.js';
import { limitsSchema, logSchema, pidFileSchema } from './schema/limits.js';
import { hostsSchema, listenersSchema, tlsSchema, trustedProxiesSchema } from './schema/listeners.js';
import { rateLimitsSchema } from './schema/rate-limits.js';
import { routeSchema } from './schema/route.js';
import { securityHeadersSchema } from './schema/security-headers.js';
import { storeSchema } from './schema/store.js';
import { upstreamSchema, upstreamsSchema } from './schema/upstream.js';
import { workersSchema } from './schema/workers.js';

/**
 * The YAML file's shape, one section per file under schema/ (each beside its compile step).
 * validate-config parses section by section so that cross-field rules still run when one
 * section is wrong; `configSchema` is the same shape in one piece, for the types.
 */
export const SECTIONS = {
  listeners: listenersSchema,
  hosts: hostsSchema,
  tls: tlsSchema,
  trustedProxies: trustedProxiesSchema,
  upstream: upstreamSchema.optional(),
  upstreams: upstreamsSchema,
  store: storeSchema,
  securityHeaders: securityHeadersSchema,
  cors: corsSchema.optional(),
  limits: limitsSchema,
  log: logSchema,
  pidFile: pidFileSchema,
  workers: workersSchema,
  auth: authSchema.optional(),
  rateLimits: rateLimitsSchema.optional(),
  cache: cacheSectionSchema,
  compression: compressionSchema,
  routes: z.array(routeSchema, { error: 'expected a list of routes' }).min(1, 'expected at least one route'),
};

export const configSchema = z.strictObject(SECTIONS);

export type RawConfig = z.output<typeof configSchema>;
export type { RawRoute } from './schema/route.js';
export type { CorsConfig } from './schema/cors.js';
export type { CompressionConfig } from './schema/compression.js';
export type { HttpMethod } from './schema/fields.js';
export { SECURITY_HEADER_DEFAULTS, type SecurityHeadersConfig, type SecurityHeadersOverride } from './schema/security-headers.js';

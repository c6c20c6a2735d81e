import { z } from 'zod';
import { duration, listOf, oneOf, positiveNumber, role, wholeNumber } from './fields.js';
import type { PathIssue } from './path-issue.js';

/** Named rate-limit policies, the default one, and each route's choice among them. */

const NAME = /^[A-Za-z0-9_.-]{1,32}$/;
const LIMIT_KEYS = ['user', 'apiKey', 'ip', 'route'] as const;
const limit = z.strictObject({
  name: z.string().regex(NAME, 'expected a short name (letters, digits, "_", ".", "-")').optional(),
  points: wholeNumber(1),
  duration: duration,
  block: duration.optional(),
  key: listOf(z.enum(LIMIT_KEYS), 'user, ip').min(1).default(['user']),
});
const policy = z.strictObject({
  limits: listOf(limit, '{ points, duration }').min(1),
  cost: wholeNumber(1).default(1),
  overrides: z.strictObject({
    roles: z.record(role, positiveNumber).default({}),
    apiKeys: z.record(z.string(), positiveNumber).default({}),
  }).default({ roles: {}, apiKeys: {} }),
});
export type RateLimitPolicy = z.output<typeof policy>;

export const rateLimitsSchema = z.strictObject({
  /** The policy of routes that name none; absent: such routes are not limited. */
  default: z.string().optional(),
  /** Per client IP, before any token is verified, on routes that authenticate. */
  unauthenticated: z.strictObject({ points: wholeNumber(1), duration: duration }).optional(),
  policies: z.record(z.string().regex(NAME), policy).default({}),
}).superRefine((r, ctx) => {
  if (r.default !== undefined && !(r.default in r.policies)) ctx.addIssue({ code: 'custom', path: ['default'], message: `no policy named "${r.default}"` });
});
export type RateLimitsConfig = z.output<typeof rateLimitsSchema>;

/** A route's `rateLimit:`; null is `none`, absent is the default policy. */
export const routeRateLimitSchema = oneOf('"none", a policy name or { policy, cost }', [
  z.literal('none'),
  z.string(),
  z.strictObject({ policy: z.string(), cost: wholeNumber(1).optional() }),
]).transform((r) => (r === 'none' ? null : typeof r === 'string' ? { policy: r, cost: undefined } : r));
type RawRouteRateLimit = z.output<typeof routeRateLimitSchema> | undefined;

/** The route's policy by name and the policy itself, so consumers never look a name up and hope. */
export interface RouteRateLimit {
  readonly policy: string;
  readonly cost: number;
  readonly definition: RateLimitPolicy;
}

/** Cross-field: a route names a policy that exists (none exist when `rateLimits` is absent). */
export function checkRouteRateLimit(r: RawRouteRateLimit, rateLimits: RateLimitsConfig | undefined, path: PropertyKey[]): PathIssue[] {
  if (!r || r.policy in (rateLimits?.policies ?? {})) return [];
  return [{ path: [...path, 'rateLimit'], message: `no policy named "${r.policy}" under rateLimits.policies` }];
}

/** A route's own policy, else the default one; built-in routes (health probes) are never limited. */
export function compileRouteRateLimit(r: RawRouteRateLimit, rateLimits: RateLimitsConfig | undefined, builtin: boolean): RouteRateLimit | null {
  if (builtin || !rateLimits || r === null) return null;
  const name = r?.policy ?? rateLimits.default;
  if (name === undefined) return null;
  const definition = rateLimits.policies[name];
  // checkRouteRateLimit and the section's own refine have refused unknown names before compile.
  if (!definition) throw new Error(`unchecked rate-limit policy "${name}"`);
  return { policy: name, cost: r?.cost ?? definition.cost, definition };
}

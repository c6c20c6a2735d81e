import { retryAfterError, type GatewayError } from '../errors.js';
import type { PolicyLimiter } from '../ratelimit/policy-limiter.js';
import type { CompiledRoute, RouteRateLimit } from '../config/compile-config.js';
import type { Limiter } from '../ratelimit/create-limiter.js';
import type { Increment } from '../observability/metrics.js';
import type { Stage } from './request-context.js';

/**
 * The route's policy, after authentication so the budget is the caller's. Every response on
 * the route carries RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers-11);
 * over the limit: 429 quota-exceeded with Retry-After, counted in the policy's metric (`limited`,
 * bound once per route).
 */
export function createRateLimitStage(route: CompiledRoute, { cost }: RouteRateLimit, limiter: PolicyLimiter, limited: Increment): Stage {
  return async (ctx, next) => {
    const outcome = await limiter.check(ctx.principal, ctx.clientIp, route.id, cost);
    (ctx.extraHeaders ??= []).push('ratelimit-policy', outcome.rateLimitPolicy, 'ratelimit', outcome.rateLimit);
    if (outcome.retryAfterMs !== undefined) {
      limited.inc();
      throw exceeded(outcome.retryAfterMs);
    }
    return next();
  };
}

/** The policy label of refusals by the per-address budget (rateLimits.unauthenticated). */
export const UNAUTHENTICATED = 'unauthenticated';

/**
 * Before any token is verified: a per-address budget for requests to routes that authenticate,
 * so a flood of made-up tokens is refused for the price of one counter, not a signature check.
 */
export function createUnauthenticatedLimitStage(limiter: Limiter, limited: Increment): Stage {
  return async (ctx, next) => {
    const decision = await limiter.consume(ctx.clientIp);
    if (!decision.allowed) {
      limited.inc();
      throw exceeded(decision.retryAfterMs);
    }
    return next();
  };
}

function exceeded(retryAfterMs: number): GatewayError {
  return retryAfterError('ratelimit.exceeded', retryAfterMs, (s) => `rate limit reached; retry in ${s} s`);
}

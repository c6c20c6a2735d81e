import type { GatewayConfig } from '../config/compile-config.js';
import type { Store } from '../store/store.js';
import { createLimiter, type Limiter } from './create-limiter.js';
import { createPolicyLimiter, type PolicyLimiter } from './policy-limiter.js';

export interface RateLimiters {
  /** One per named policy, shared by the routes that name it. */
  policies: ReadonlyMap<string, PolicyLimiter>;
  unauthenticated: Limiter | null;
}

/** Every request limiter a config needs, made once at load (login limiters: login-limiters.ts). */
export function createRateLimiters(config: GatewayConfig, store: Store): RateLimiters {
  const rl = config.rateLimits;
  const policies = new Map<string, PolicyLimiter>();
  if (!rl) return { policies, unauthenticated: null };
  for (const [name, policy] of Object.entries(rl.policies)) policies.set(name, createPolicyLimiter(name, policy, store));
  const u = rl.unauthenticated;
  return {
    policies,
    unauthenticated: u ? createLimiter(store, { name: 'unauthenticated', points: u.points, durationMs: u.duration }) : null,
  };
}

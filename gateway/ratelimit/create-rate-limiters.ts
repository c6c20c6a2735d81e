import type { GatewayConfig } from '../config/compile-config.js';
import type { Store } from '../store/store.js';
import { createLimiter, type Limiter } from './create-limiter.js';
import { createPolicyLimiter, type PolicyLimiter } from './policy-limiter.js';

/** Every limiter a config needs, made once at load. */
export function createRateLimiters(config: GatewayConfig, store: Store): { policies: Map<string, PolicyLimiter>; unauthenticated: Limiter | null } {
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

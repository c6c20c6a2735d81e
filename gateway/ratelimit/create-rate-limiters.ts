import type { GatewayConfig } from '../config/compile-config.js';
import type { Store } from '../store/store.js';
import { createLimiter, type Limiter } from './create-limiter.js';
import { createPolicyLimiter, type PolicyLimiter } from './policy-limiter.js';

export interface RateLimiters {
  /** One per named policy, shared by the routes that name it. */
  policies: ReadonlyMap<string, PolicyLimiter>;
  unauthenticated: Limiter | null;
}

/**
 * Every request limiter a config needs, made once at load (login limiters: login-limiters.ts).
 * Given the limiters of the config it replaces, each policy and the unauthenticated budget
 * whose own definition is unchanged is kept, with the counters and blocks it holds on the
 * memory store; a changed one starts fresh there (on Redis the counters are keyed by name).
 */
export function createRateLimiters(config: GatewayConfig, store: Store, previous?: { config: GatewayConfig; limiters: RateLimiters }): RateLimiters {
  const rl = config.rateLimits;
  const before = previous?.config.rateLimits;
  // By value, as runtime-parts.ts compares: reordered keys can only make a limiter fresh, never keep a changed one.
  const unchanged = (a: unknown, b: unknown) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);
  const policies = new Map<string, PolicyLimiter>();
  if (!rl) return { policies, unauthenticated: null };
  for (const [name, policy] of Object.entries(rl.policies)) {
    const kept = unchanged(before?.policies[name], policy) ? previous?.limiters.policies.get(name) : undefined;
    policies.set(name, kept ?? createPolicyLimiter(name, policy, store));
  }
  const u = rl.unauthenticated;
  const keptUnauthenticated = unchanged(before?.unauthenticated, u) ? previous?.limiters.unauthenticated : undefined;
  return {
    policies,
    unauthenticated: keptUnauthenticated ?? (u ? createLimiter(store, { name: 'unauthenticated', points: u.points, durationMs: u.duration }) : null),
  };
}

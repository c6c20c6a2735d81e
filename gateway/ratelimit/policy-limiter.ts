import type { Principal } from '../auth/principal.js';
import type { GatewayConfig } from '../config/compile-config.js';
import type { Store } from '../store/store.js';
import { createLimiter, type Limiter } from './create-limiter.js';

type PolicyConfig = NonNullable<GatewayConfig['rateLimits']>['policies'][string];
type LimitConfig = PolicyConfig['limits'][number];

export interface LimitOutcome {
  /** `RateLimit` list items, e.g. `"burst";r=19;t=1` (draft-ietf-httpapi-ratelimit-headers-11). */
  rateLimit: string;
  rateLimitPolicy: string;
  /** Set when a limit refused the request. */
  retryAfterMs?: number;
}

/**
 * A named policy: one or more limits drawing on shared budgets (every route naming the policy
 * uses the same counters unless a limit's key includes `route`). Role and API-key overrides
 * multiply the points; each multiplier gets its own limiter over the same counters, made at
 * config load.
 */
export interface PolicyLimiter {
  check(principal: Principal | null, clientIp: string, routeId: string, cost: number): Promise<LimitOutcome>;
}

export function createPolicyLimiter(name: string, policy: PolicyConfig, store: Store): PolicyLimiter {
  const multipliers = [1, ...Object.values(policy.overrides.roles), ...Object.values(policy.overrides.apiKeys)];
  const limits = policy.limits.map((limit, i) => {
    const label = limit.name ?? (policy.limits.length === 1 ? name : `${name}-${i + 1}`);
    const byMultiplier = new Map<number, { limiter: Limiter; policyItem: string }>();
    for (const m of new Set(multipliers)) {
      const points = Math.max(1, Math.floor(limit.points * m));
      byMultiplier.set(m, {
        limiter: createLimiter(store, { name: `${name}:${label}`, points, durationMs: limit.duration, blockMs: limit.block }),
        policyItem: `"${label}";q=${points};w=${Math.ceil(limit.duration / 1000)}`,
      });
    }
    return { limit, label, byMultiplier };
  });

  const multiplierFor = (p: Principal | null): number => {
    if (!p) return 1;
    let m = p.method === 'apiKey' ? policy.overrides.apiKeys[p.id] ?? 1 : 1;
    for (const role of p.roles) m = Math.max(m, policy.overrides.roles[role] ?? 1);
    return m;
  };

  return {
    async check(principal, clientIp, routeId, cost) {
      const m = multiplierFor(principal);
      const items: string[] = [];
      const policies: string[] = [];
      for (const { limit, label, byMultiplier } of limits) {
        const { limiter, policyItem } = byMultiplier.get(m)!;
        policies.push(policyItem);
        // One atomic round trip per limit; later limits are not charged once one refuses.
        const decision = await limiter.consume(keyFor(limit, principal, clientIp, routeId), cost);
        if (!decision.allowed) {
          items.push(`"${label}";r=0;t=${Math.ceil(decision.retryAfterMs / 1000)}`);
          return { rateLimit: items.join(', '), rateLimitPolicy: policies.join(', '), retryAfterMs: decision.retryAfterMs };
        }
        items.push(`"${label}";r=${decision.remaining};t=${Math.ceil(decision.resetMs / 1000)}`);
      }
      return { rateLimit: items.join(', '), rateLimitPolicy: policies.join(', ') };
    },
  };
}

/** Never from a client-supplied header: the principal the gateway verified, or the address it computed. */
function keyFor(limit: LimitConfig, p: Principal | null, clientIp: string, routeId: string): string {
  const parts: string[] = [];
  for (const k of limit.key) {
    if (k === 'route') parts.push(`r:${routeId}`);
    else if (k === 'ip' || p === null) parts.push(`ip:${clientIp}`); // anonymous callers are keyed by address
    // `user` and `apiKey` both mean "the verified caller": a key's budget is its own, a user's theirs.
    else parts.push(p.method === 'apiKey' ? `k:${p.id}` : `u:${p.id}`);
  }
  return parts.join('|');
}

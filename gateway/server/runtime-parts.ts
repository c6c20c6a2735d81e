import type { Express } from 'express';
import type { AuthService } from '../auth/auth-service.js';
import type { ResponseCache } from '../cache/response-cache.js';
import type { GatewayConfig } from '../config/compile-config.js';
import type { Runtime } from '../pipeline/handle-request.js';
import type { LoginLimiters } from '../ratelimit/login-limiters.js';
import type { RateLimiters } from '../ratelimit/create-rate-limiters.js';
import type { CertStore } from '../tls/cert-store.js';
import { closeUpstreamSet, type UpstreamSet } from '../upstream/upstream-client.js';
import type { AdminPlane } from './build-admin-plane.js';

/** Everything one config produced; requests read it through `runtime()` and see one consistent set. */
export interface GatewayRuntime extends Runtime {
  readonly auth: AuthService | null;
  readonly loginLimiters: LoginLimiters | null;
  readonly rateLimiters: RateLimiters;
  /** One client per named upstream (a pool per target, health state, active-check timers). */
  readonly upstreams: UpstreamSet;
  readonly certs: CertStore;
  readonly apiApp: Express;
  /** The response cache (its admin side is CacheAdmin); null when no route has a cache config. */
  readonly cache: ResponseCache | null;
  /** What the admin listener runs; null without `listeners.admin`. */
  readonly admin: AdminPlane | null;
}

export type Part = 'auth' | 'loginLimiters' | 'rateLimiters' | 'upstreams' | 'certs' | 'apiApp' | 'cache' | 'admin' | 'chains';

/**
 * What a part is built from:
 * - top-level sections, as diffConfig compares them;
 * - a slice of the config (plain data: numbers, strings, arrays, records), compared by value;
 * - 'always'.
 */
export type Source = readonly string[] | ((config: GatewayConfig) => unknown) | 'always';

/**
 * On reload a part is built anew when what it is built from changed, and kept otherwise: a kept
 * part keeps its state (limiter counters and blocks with the memory store, login-failure counts,
 * verified tokens, pooled connections). Limiter state goes only with a change to that limiter.
 */
export const BUILT_FROM: Readonly<Record<Part, Source>> = {
  auth: ['auth'],
  // Brute-force counts outlive a change of token lifetimes, users or keys: only their own budgets reset them.
  loginLimiters: (c) => c.auth?.login,
  // Made anew when rateLimits changed, yet each policy (rateLimits.policies.<name>) and
  // rateLimits.unauthenticated whose own definition is unchanged keeps its limiter: create-rate-limiters.ts.
  rateLimiters: ['rateLimits'],
  // Kept across reloads that leave the section alone: pools, ejections and check counts stay.
  upstreams: ['upstreams'],
  certs: ['tls', 'hosts'],
  apiApp: ['auth', 'upstreams'], // its /api/auth routes and its readiness probe of the upstreams
  // Its section and which routes cache how (stats list them); a rebuilt one takes the counters over.
  cache: (c) => [c.cache, c.routes?.filter((r) => r.cache !== null).map((r) => r.source)],
  // Its route: the listener's tls flag (HSTS) and the security headers. The parts it uses: BUILT_WITH.
  admin: ['listeners', 'baseResponseHeaders'],
  chains: 'always', // they read the routes and most sections
};

/**
 * Parts built with other parts: rebuilt whenever one of those is, so they never keep using a
 * part a reload released (an old authenticator whose key file is no longer watched).
 */
export const BUILT_WITH: Readonly<Partial<Record<Part, readonly Part[]>>> = {
  admin: ['auth', 'rateLimiters', 'cache'],
};

/** Sections read once at start (listeners, store, the PID file): a change is logged as needing a restart. */
export const RESTART_NEEDED: readonly string[] = ['listeners', 'store', 'limits', 'pidFile', 'workers'];

/** A reload's change: the sections diffConfig found changed, and the configs on both sides. */
export interface ConfigChange {
  sectionsChanged: readonly string[];
  before: GatewayConfig;
  after: GatewayConfig;
}

/** The parts to build for a reload ('all' at start). */
export function partsToBuild(change: ConfigChange | 'all'): ReadonlySet<Part> {
  const parts = Object.keys(BUILT_FROM) as Part[];
  if (change === 'all') return new Set(parts);
  const built = new Set(parts.filter((p) => {
    const from = BUILT_FROM[p];
    if (from === 'always') return true;
    if (typeof from === 'function') return !sameDefinition(from(change.before), from(change.after));
    return from.some((s) => change.sectionsChanged.includes(s));
  }));
  // Until nothing more is added: a part built with a part that is itself built with another.
  for (let grew = true; grew;) {
    grew = false;
    for (const [part, uses] of Object.entries(BUILT_WITH) as [Part, readonly Part[]][]) {
      if (built.has(part) || !uses.some((u) => built.has(u))) continue;
      built.add(part);
      grew = true;
    }
  }
  return built;
}

/** Plain config data compared by value. Keys reordered in the file can only count as a change (a fresh limiter), never hide one. */
function sameDefinition(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The parts that hold files, timers or sockets, and how each lets go. */
const RELEASE: { [K in keyof GatewayRuntime]?: (part: NonNullable<GatewayRuntime[K]>) => Promise<void> | void } = {
  auth: (auth) => auth.close(),
  upstreams: (u) => closeUpstreamSet(u), // waits for requests in flight on the old pools
  certs: (certs) => certs.close(),
};

/**
 * Releases every part of `old` that `next` does not share: after a switch, the replaced parts;
 * after a failed build, what it made (against the runtime it would have replaced); at shutdown
 * (`next` null), all of them.
 */
export async function releaseReplaced(old: Partial<GatewayRuntime>, next: Partial<GatewayRuntime> | null): Promise<void> {
  const pending: Promise<void>[] = [];
  for (const [name, release] of Object.entries(RELEASE) as [keyof GatewayRuntime, (part: unknown) => Promise<void> | void][]) {
    const part = old[name];
    if (part === undefined || part === null || part === next?.[name]) continue;
    // One failing release must not keep the others open.
    pending.push(Promise.resolve().then(() => release(part)).catch(() => {}));
  }
  await Promise.all(pending);
}

import type { Express } from 'express';
import type { AuthService } from '../auth/auth-service.js';
import type { Runtime } from '../pipeline/handle-request.js';
import type { LoginLimiters } from '../ratelimit/login-limiters.js';
import type { RateLimiters } from '../ratelimit/create-rate-limiters.js';
import type { CertStore } from '../tls/cert-store.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import type { WebSocketProxy } from '../upstream/websocket-proxy.js';

/** Everything one config produced; requests read it through `runtime()` and see one consistent set. */
export interface GatewayRuntime extends Runtime {
  readonly auth: AuthService | null;
  readonly loginLimiters: LoginLimiters | null;
  readonly rateLimiters: RateLimiters;
  readonly upstream: { readonly client: UpstreamClient; readonly ws: WebSocketProxy };
  readonly certs: CertStore;
  readonly apiApp: Express;
}

export type Part = 'auth' | 'loginLimiters' | 'rateLimiters' | 'upstream' | 'certs' | 'apiApp' | 'chains';

/**
 * What each part is built from (config sections, as diffConfig names them). On reload a part is
 * built anew when one of its sections changed and kept otherwise: a kept part keeps its state
 * (limiter counters with the memory store, login-failure counts, verified tokens, pooled
 * connections). Chains are always composed anew: they read the routes and most sections.
 */
export const BUILT_FROM: Readonly<Record<Part, readonly string[] | 'always'>> = {
  auth: ['auth'],
  loginLimiters: ['auth'],
  rateLimiters: ['rateLimits'],
  upstream: ['upstream'],
  certs: ['tls', 'hosts'],
  apiApp: ['auth', 'upstream'], // its /api/auth routes and its readiness probe of the backend
  chains: 'always',
};

/** Sections read once by the listeners and the store: a change is logged as needing a restart. */
export const RESTART_NEEDED: readonly string[] = ['listeners', 'store', 'limits'];

/** The parts to build for a reload that changed `sectionsChanged` ('all' at start). */
export function partsToBuild(sectionsChanged: readonly string[] | 'all'): ReadonlySet<Part> {
  const parts = Object.keys(BUILT_FROM) as Part[];
  if (sectionsChanged === 'all') return new Set(parts);
  return new Set(parts.filter((p) => {
    const from = BUILT_FROM[p];
    return from === 'always' || from.some((s) => sectionsChanged.includes(s));
  }));
}

/** The parts that hold files, timers or sockets, and how each lets go. */
const RELEASE: { [K in keyof GatewayRuntime]?: (part: NonNullable<GatewayRuntime[K]>) => Promise<void> | void } = {
  auth: (auth) => auth.close(),
  upstream: (u) => {
    u.ws.close();
    return u.client.close(); // waits for requests in flight on the old pool
  },
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

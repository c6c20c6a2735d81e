import { z } from 'zod';
import { bool, duration, wholeNumber } from './fields.js';
import type { PathIssue } from './path-issue.js';

/** The backends the gateway proxies to, and how their connection pools behave. */

const httpUrl = z.string().refine((u) => {
  try {
    const parsed = new URL(u);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.pathname === '/' && !parsed.search && !parsed.username;
  } catch {
    return false;
  }
}, 'expected an origin URL like "http://127.0.0.1:8000" (no path, query or credentials)');

/** Optional active check: GET `path` on every target each `interval`. */
const healthCheckSchema = z.strictObject({
  path: z.string().startsWith('/').default('/health'),
  interval: duration.default(5000),
  timeout: duration.default(1000),
  /** Checks in a row a target down must pass to take traffic again. */
  healthy: wholeNumber(1, 100).default(2),
  /** Checks in a row a target must fail to be taken out. */
  unhealthy: wholeNumber(1, 100).default(3),
});

/** Passive health: failures of real requests in a row eject a target, for longer each time. */
const passiveSchema = z.strictObject({
  failures: wholeNumber(1, 1000).default(5),
  ejectFor: duration.default(10_000),
  /** The doubling stops here. */
  maxEjectFor: duration.default(300_000),
});

const settings = {
  connections: wholeNumber(1, 10_000).default(64),
  connectTimeout: duration.default(5000),
  headersTimeout: duration.default(30_000),
  bodyTimeout: duration.default(30_000),
  // uvicorn closes idle keep-alive sockets after 5 s; reusing one it is closing loses the request.
  keepAliveTimeout: duration.default(4000),
  preserveHost: bool.default(false),
  retryIdempotent: bool.default(true),
  /** Path /readyz requests to tell whether a target answers (when there is no active check). */
  healthPath: z.string().startsWith('/').default('/health'),
  healthCheck: healthCheckSchema.optional(),
  passive: passiveSchema.optional(),
};

/** The single-backend form: the upstream called `default`. */
export const upstreamSchema = z.strictObject({ url: httpUrl, ...settings });

export const UPSTREAM_NAME = /^[A-Za-z0-9_.-]+$/;

const namedUpstreamSchema = z.strictObject({
  targets: z.array(httpUrl, { error: 'expected a list of origin URLs' }).min(1, 'expected at least one target')
    .refine((t) => new Set(t.map((u) => new URL(u).origin)).size === t.length, 'the same target is listed twice'),
  balance: z.enum(['round-robin', 'least-busy'], { error: 'expected "round-robin" or "least-busy"' }).default('round-robin'),
  ...settings,
});

export const upstreamsSchema = z.record(
  z.string().regex(UPSTREAM_NAME, 'expected an upstream name of letters, digits, "_", "." or "-"'),
  namedUpstreamSchema,
).default({});

export type RawUpstream = z.output<typeof upstreamSchema>;
export type RawUpstreams = z.output<typeof upstreamsSchema>;

/** One upstream as the runtime reads it, whichever form it was written in. */
export interface UpstreamConfig {
  readonly name: string;
  /** Origins, in the order written. */
  readonly targets: readonly string[];
  readonly balance: 'round-robin' | 'least-busy';
  readonly connections: number;
  readonly connectTimeout: number;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
  readonly keepAliveTimeout: number;
  readonly preserveHost: boolean;
  readonly retryIdempotent: boolean;
  readonly healthPath: string;
  readonly healthCheck: z.output<typeof healthCheckSchema> | null;
  readonly passive: z.output<typeof passiveSchema> | null;
}

/** Both forms as one record; `upstream:` is the one called `default` (the check refuses both at once). */
export function compileUpstreams(upstream: RawUpstream | undefined, upstreams: RawUpstreams | undefined): Record<string, UpstreamConfig> {
  const out: Record<string, UpstreamConfig> = {};
  for (const [name, u] of Object.entries(upstreams ?? {})) {
    out[name] = { ...u, name, targets: u.targets.map((t) => new URL(t).origin), healthCheck: u.healthCheck ?? null, passive: u.passive ?? null };
  }
  if (upstream !== undefined) {
    const { url, ...rest } = upstream;
    out.default = { ...rest, name: 'default', targets: [new URL(url).origin], balance: 'round-robin', healthCheck: rest.healthCheck ?? null, passive: rest.passive ?? null };
  }
  return out;
}

/** What a route without an upstream (the gateway's own endpoints) or a config without `default` times out with. */
export const UPSTREAM_DEFAULTS: Pick<UpstreamConfig, 'connectTimeout' | 'headersTimeout' | 'bodyTimeout'> = {
  connectTimeout: 5000, headersTimeout: 30_000, bodyTimeout: 30_000,
};

/**
 * Both forms at once would make two upstreams called `default`; a route naming an upstream that
 * does not exist would fail only on its first request. `upstream`/`upstreams` undefined: absent;
 * null: failed its own schema (then names are not checked against it).
 */
export function checkUpstreams(
  upstream: RawUpstream | undefined | null,
  upstreams: RawUpstreams | undefined | null,
  routes: readonly ({ upstream?: string | undefined; target: string } | undefined)[],
): PathIssue[] {
  const issues: PathIssue[] = [];
  if (upstream !== undefined && upstreams?.default !== undefined) {
    issues.push({ path: ['upstreams', 'default'], message: 'both "upstream" and "upstreams.default" define the upstream called default: keep one' });
  }
  if (upstream === undefined && upstreams !== null && Object.keys(upstreams ?? {}).length === 0) {
    issues.push({ path: ['upstream'], message: 'expected an "upstream" section (one backend: url) or "upstreams" (named backends: targets)' });
  }
  if (upstream === null || upstreams === null) return issues;
  const names = new Set([...Object.keys(upstreams ?? {}), ...(upstream !== undefined ? ['default'] : [])]);
  routes.forEach((r, i) => {
    if (r === undefined || r.target !== 'backend') return;
    const name = r.upstream ?? 'default';
    if (names.has(name)) return;
    const known = names.size > 0 ? ` (defined: ${[...names].join(', ')})` : '';
    issues.push(r.upstream === undefined
      ? { path: ['routes', i], message: `this route goes to the upstream called default, and there is none: add an "upstream:" section, "upstreams.default", or "upstream: NAME" on the route${known}` }
      : { path: ['routes', i, 'upstream'], message: `unknown upstream "${name}"${known}` });
  });
  return issues;
}

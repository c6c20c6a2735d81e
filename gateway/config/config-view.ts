import { BlockList } from 'node:net';
import type { GatewayConfig } from './compile-config.js';
import { formatPath } from './config-error.js';
import { BUILTIN_PATHS } from './schema/check-routes.js';
import { isSecretPath } from './secrets.js';

export const REDACTED = '[redacted]';

/**
 * The running config as GET /admin/config shows it: the sections as loaded (defaults filled in,
 * durations in ms, sizes in bytes, paths resolved), the operator's routes as written, and every
 * value at a path in SECRET_PATHS redacted. Keys follow the file's paths, so the redaction
 * finds secrets where `gateway check` names them. Pure; table-tested.
 */
export function configView(config: GatewayConfig<'strict' | 'optional'>): Record<string, unknown> {
  // compile-config.ts puts the gateway's own routes first: /healthz, /readyz, and /api/auth with `auth`.
  const builtins = BUILTIN_PATHS.length + (config.auth ? 1 : 0);
  const view = {
    file: config.file,
    listeners: config.listeners,
    hosts: config.hosts,
    tls: config.tls,
    trustedProxies: config.trustedProxies,
    upstreams: config.upstreams,
    store: config.store,
    cors: config.cors,
    limits: config.limits,
    log: config.log,
    pidFile: config.pidFile,
    workers: config.workers,
    auth: config.auth,
    rateLimits: config.rateLimits,
    cache: config.cache,
    compression: config.compression,
    /** The security headers every answer carries unless a route says otherwise. */
    responseHeaders: pairs(config.baseResponseHeaders),
    routes: config.routes.slice(builtins).map((r) => ({ id: r.id, ...JSON.parse(r.source) as object })),
    builtinRoutes: config.routes.slice(0, builtins).map((r) => r.id),
  };
  return redact(plain(view), []) as Record<string, unknown>;
}

/** JSON data only: sets as sorted lists, the trusted-proxy list as its rules. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Set) return [...v as Set<unknown>].sort();
    if (v instanceof BlockList) return v.rules;
    return v;
  })) as unknown;
}

function redact(value: unknown, path: PropertyKey[]): unknown {
  if (typeof value === 'string') return value !== '' && isSecretPath(formatPath(path)) ? redacted(value, path) : value;
  if (Array.isArray(value)) return value.map((v, i) => redact(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, [...path, k])]));
  }
  return value;
}

/**
 * A URL keeps what says where it points (scheme, host, port, path): its user, password and query
 * (ioredis reads a password there too) go. Anything else goes whole.
 */
function redacted(value: string, path: PropertyKey[]): string {
  if (path[path.length - 1] !== 'url') return REDACTED;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return REDACTED;
  }
  const credentials = url.username !== '' || url.password !== '' ? `${REDACTED}@` : '';
  const rest = url.pathname === '/' || url.pathname === '' ? '' : url.pathname;
  return `${url.protocol}//${credentials}${url.host}${rest}${url.search !== '' ? `?${REDACTED}` : ''}`;
}

function pairs(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

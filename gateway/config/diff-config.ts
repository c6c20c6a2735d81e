import type { GatewayConfig } from './compile-config.js';

export interface ConfigDiff {
  routesAdded: string[];
  routesRemoved: string[];
  routesChanged: string[];
  /** Top-level sections whose values differ (listeners, upstream, cors ...). */
  sectionsChanged: string[];
}

const SECTIONS = ['listeners', 'hosts', 'tls', 'trustedProxies', 'upstreams', 'store', 'cors', 'limits', 'log', 'pidFile', 'workers', 'auth', 'rateLimits', 'cache', 'compression', 'baseResponseHeaders'] as const;

/** What a reload changes, for the log line an operator reads after SIGHUP. */
export function diffConfig(before: GatewayConfig, after: GatewayConfig): ConfigDiff {
  const old = new Map(before.routes.map((r) => [r.id, r.source]));
  const now = new Map(after.routes.map((r) => [r.id, r.source]));
  return {
    routesAdded: [...now.keys()].filter((id) => !old.has(id)),
    routesRemoved: [...old.keys()].filter((id) => !now.has(id)),
    routesChanged: [...now.keys()].filter((id) => old.has(id) && old.get(id) !== now.get(id)),
    sectionsChanged: SECTIONS.filter((s) => stable(before[s]) !== stable(after[s])),
  };
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Set) return [...v].sort();
    if (v && typeof v === 'object' && v.constructor?.name === 'BlockList') return (v as { rules: string[] }).rules;
    return v;
  });
}

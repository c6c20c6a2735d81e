import type { GatewayConfig } from '../config/compile-config.js';
import type { CacheSection } from '../config/schema/cache.js';
import { ConfigError, formatIssue } from '../config/config-error.js';
import { diffConfig } from '../config/diff-config.js';
import { loadConfig, type Env } from '../config/load-config.js';
import { buildRuntime, type RuntimeDeps } from './build-runtime.js';
import { releaseReplaced, RESTART_NEEDED, type GatewayRuntime } from './runtime-parts.js';

/** cache section fields the store's cache backend is made with (gateway/cache/response-cache.ts). */
const STORE_CACHE_BOUNDS = ['maxMemory', 'redisMemoryShare'] as const;

export interface ReloadOptions {
  configFile: string;
  env: Env;
  deps: RuntimeDeps;
  current(): GatewayRuntime;
  /** Makes `next` the runtime new requests see (and the listener's certificate, if it changed). */
  switchTo(next: GatewayRuntime): void;
}

/**
 * What a reload did: the config it switched to and how it differs from the one before, or why
 * it was refused (each error as `gateway check` prints it). SIGHUP logs it; POST /admin/reload
 * answers with it.
 */
export type ReloadResult =
  | {
    readonly ok: true;
    readonly routesAdded: readonly string[];
    readonly routesRemoved: readonly string[];
    readonly routesChanged: readonly string[];
    readonly sectionsChanged: readonly string[];
    /** Changed sections (and settings) that take effect only at the next start. */
    readonly restartNeeded: readonly string[];
  }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Reload = build new, switch, release old (design.md, server/). A file that does not load or a
 * part that fails to build leaves the running runtime as it was, and says why in the log.
 */
export function createReload(o: ReloadOptions): () => Promise<ReloadResult> {
  const { logger, metrics } = o.deps;
  // The store makes its cache backend once, for the first runtime that caches, and keeps it (the
  // store outlives runtimes): its bounds are those of that config until a restart, whatever
  // reloads say in between. Null until a config with cached routes has been built.
  let storeCacheMadeWith: CacheSection | null = o.current().config.caching ? o.current().config.cache : null;
  const rejected = (errors: string[]): ReloadResult => {
    logger.error({ kind: 'reload', errors }, 'config rejected; the running config stays');
    metrics.reloaded(false);
    return { ok: false, errors };
  };
  const reloadOnce = async (): Promise<ReloadResult> => {
    let config: GatewayConfig;
    try {
      config = loadConfig(o.configFile, o.env);
    } catch (err) {
      return rejected(err instanceof ConfigError ? err.issues.map(formatIssue) : [String(err)]);
    }
    const old = o.current();
    const diff = diffConfig(old.config, config);
    let next: GatewayRuntime;
    try {
      next = await buildRuntime(config, o.deps, { runtime: old, sectionsChanged: diff.sectionsChanged });
    } catch (err) {
      return rejected([(err as Error).message]);
    }
    o.switchTo(next);
    // Not awaited: an old upstream pool closes once its in-flight requests finish.
    void releaseReplaced(old, next);
    const restartNeeded = diff.sectionsChanged.filter((s) => RESTART_NEEDED.includes(s));
    if (storeCacheMadeWith === null) {
      if (config.caching) storeCacheMadeWith = config.cache;
    } else {
      for (const key of STORE_CACHE_BOUNDS) if (storeCacheMadeWith[key] !== config.cache[key]) restartNeeded.push(`cache.${key}`);
    }
    logger.info({
      kind: 'reload',
      routes_added: diff.routesAdded,
      routes_removed: diff.routesRemoved,
      routes_changed: diff.routesChanged,
      sections_changed: diff.sectionsChanged,
      restart_needed_for: restartNeeded.length > 0 ? restartNeeded : undefined,
    }, 'config reloaded');
    metrics.reloaded(true);
    return { ok: true, ...diff, restartNeeded };
  };
  // One at a time: two overlapping reloads would both replace the same runtime, and the parts
  // the first one built would never be released.
  let last: Promise<unknown> = Promise.resolve();
  return () => {
    const next = last.then(reloadOnce, reloadOnce);
    last = next;
    return next;
  };
}

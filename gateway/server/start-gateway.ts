import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createApiApp } from '../api/create-api-app.js';
import { createAuthSystem, type AuthSystem } from '../auth/create-auth.js';
import { createRateLimiters } from '../ratelimit/create-rate-limiters.js';
import type { GatewayConfig } from '../config/compile-config.js';
import { ConfigError } from '../config/config-error.js';
import { diffConfig } from '../config/diff-config.js';
import { loadConfig, type Env } from '../config/load-config.js';
import type { Logger } from '../observability/logger.js';
import { buildRouteChains } from '../pipeline/build-route-chains.js';
import { createRequestHandler, type Runtime } from '../pipeline/handle-request.js';
import { createUpgradeHandler } from '../pipeline/handle-upgrade.js';
import { createStore } from '../store/create-store.js';
import { createCertStore, type CertStore } from '../tls/cert-store.js';
import { serverTlsOptions } from '../tls/tls-options.js';
import { createUpstreamClient, type UpstreamClient } from '../upstream/upstream-client.js';
import { createWebSocketProxy } from '../upstream/websocket-proxy.js';
import { createHttpRedirectListener } from './http-redirect-listener.js';
import { createHttpsListener } from './https-listener.js';
import { closeGracefully, listen } from './listen.js';

export interface GatewayHandle {
  readonly https: AddressInfo;
  readonly http: AddressInfo | null;
  /** Re-reads the config file; a bad file leaves the running config in place. */
  reload(): Promise<{ ok: boolean }>;
  shutdown(): Promise<void>;
}

/**
 * provision → validate → serve → cleanup (Caddy's order). Everything made here is closed by
 * `cleanup`, which also runs when a start fails halfway.
 */
export async function startGateway(configFile: string, logger: Logger, env: Env = process.env): Promise<GatewayHandle> {
  let config = loadConfig(configFile, env);
  const cleanup: (() => Promise<void> | void)[] = [];
  try {
    const store = await createStore(config.store);
    cleanup.push(() => store.close());
    let upstream = createUpstreamClient(config.upstream);
    let wsProxy = createWebSocketProxy(upstream.origin);
    cleanup.push(() => upstream.close(), () => wsProxy.close());
    let certs: CertStore = await createCertStore(config.tls, [...(config.hosts ?? [])]);
    cleanup.push(() => certs.close());
    let shuttingDown = false;

    let auth: AuthSystem | null = null;
    let authKey = '';
    // Limiters survive a reload that leaves `rateLimits` alone: with the memory store their counters are the state.
    let limits: { key: string; value: ReturnType<typeof createRateLimiters> } | null = null;
    const build = async (cfg: GatewayConfig, up: UpstreamClient): Promise<Runtime> => {
      // Kept while `auth` is unchanged: login-failure counters and verified tokens live in it.
      const nextAuthKey = JSON.stringify(cfg.auth ?? null);
      const reuseAuth = auth !== null && nextAuthKey === authKey;
      const nextAuth = reuseAuth ? auth : cfg.auth ? await createAuthSystem(cfg.auth, store, logger) : null;
      const apiApp = createApiApp({
        configLoaded: () => true,
        authReady: () => nextAuth?.authenticator.jwksReady() ?? true,
        storeReachable: () => store.ping().then(() => true, () => false),
        backendReachable: () => up.reachable(cfg.upstream.healthPath, 1000),
        shuttingDown: () => shuttingDown,
      }, nextAuth?.routes ?? null);
      const authenticator = nextAuth?.authenticator ?? null;
      const limitsKey = JSON.stringify(cfg.rateLimits ?? null);
      const nextLimits = limits?.key === limitsKey ? limits.value : createRateLimiters(cfg, store);
      const built = { config: cfg, authenticator, chains: buildRouteChains(cfg, { upstream: up, webSocketProxy: () => wsProxy, logger, apiApp, authenticator, ...nextLimits }) };
      limits = { key: limitsKey, value: nextLimits };
      // A replaced auth system stops watching files; requests in flight still hold a working reference.
      if (!reuseAuth) auth?.close();
      auth = nextAuth;
      authKey = nextAuthKey;
      return built;
    };
    let runtime = await build(config, upstream);
    cleanup.push(() => auth?.close());

    const upgraded = new Set<Duplex>();
    const https = createHttpsListener({
      cert: certs.current,
      limits: config.limits,
      onRequest: createRequestHandler({ runtime: () => runtime, logger, shuttingDown: () => shuttingDown }),
      onUpgrade: createUpgradeHandler({
        runtime: () => runtime,
        logger,
        track: (socket) => {
          upgraded.add(socket);
          socket.once('close', () => upgraded.delete(socket));
        },
      }),
      baseHeaders: () => runtime.config.baseResponseHeaders,
    });
    const watchCerts = (store: CertStore) => store.watch(
      (pair) => {
        https.setSecureContext(serverTlsOptions(pair.cert, pair.key));
        logger.info({ kind: 'tls' }, 'certificate reloaded');
      },
      (err) => logger.error({ kind: 'tls', err: err.message }, 'certificate change rejected; the previous certificate keeps serving'),
    );
    watchCerts(certs);

    const httpsAddress = await listen(https, config.listeners.https);
    cleanup.push(() => closeGracefully(https as unknown as Server, 0));
    let httpServer: Server | null = null;
    let httpAddress: AddressInfo | null = null;
    if (config.listeners.http) {
      httpServer = createHttpRedirectListener(() => runtime.config, () => httpsAddress.port);
      httpAddress = await listen(httpServer, config.listeners.http);
    }
    logger.info({
      kind: 'lifecycle',
      https: `https://${hostForUrl(httpsAddress)}:${httpsAddress.port}`,
      http: httpAddress ? `http://${hostForUrl(httpAddress)}:${httpAddress.port}` : undefined,
      https_port: httpsAddress.port,
      http_port: httpAddress?.port,
      store: store.kind,
      routes: config.routes.length,
    }, 'gateway listening');

    const reload = async (): Promise<{ ok: boolean }> => {
      const rejected = (errors: string[]) => {
        logger.error({ kind: 'reload', errors }, 'config rejected; the running config stays');
        return { ok: false };
      };
      let next: GatewayConfig;
      try {
        next = loadConfig(configFile, env);
      } catch (err) {
        return rejected(err instanceof ConfigError ? err.issues.map((i) => `${i.file}:${i.line}:${i.col} ${i.path}: ${i.message}`) : [String(err)]);
      }
      const diff = diffConfig(config, next);
      const restartNeeded = diff.sectionsChanged.filter((s) => s === 'listeners' || s === 'store' || s === 'limits');
      const upstreamChanged = diff.sectionsChanged.includes('upstream');
      const nextUpstream = upstreamChanged ? createUpstreamClient(next.upstream) : upstream;
      // Provision everything new before touching what serves now: a failure leaves it all as it was.
      let nextRuntime: Runtime;
      let nextCerts: CertStore | null = null;
      try {
        if (diff.sectionsChanged.includes('tls') || diff.sectionsChanged.includes('hosts')) nextCerts = await createCertStore(next.tls, [...(next.hosts ?? [])]);
        nextRuntime = await build(next, nextUpstream);
      } catch (err) {
        if (upstreamChanged) void nextUpstream.close().catch(() => {});
        return rejected([(err as Error).message]);
      }
      if (upstreamChanged) {
        // In-flight requests finish on the old pool; close() waits for them.
        void upstream.close().catch(() => {});
        wsProxy.close();
        wsProxy = createWebSocketProxy(nextUpstream.origin);
        upstream = nextUpstream;
      }
      if (nextCerts) {
        certs.close();
        certs = nextCerts;
        https.setSecureContext(serverTlsOptions(certs.current.cert, certs.current.key));
        watchCerts(certs);
      }
      config = next;
      runtime = nextRuntime;
      logger.info({
        kind: 'reload',
        routes_added: diff.routesAdded,
        routes_removed: diff.routesRemoved,
        routes_changed: diff.routesChanged,
        sections_changed: diff.sectionsChanged,
        restart_needed_for: restartNeeded.length > 0 ? restartNeeded : undefined,
      }, 'config reloaded');
      return { ok: true };
    };

    const shutdown = async () => {
      if (shuttingDown) return;
      shuttingDown = true;
      logger.info({ kind: 'lifecycle', grace_ms: config.limits.shutdownGrace }, 'shutting down');
      const deadline = setTimeout(() => {
        for (const s of upgraded) s.destroy();
      }, config.limits.shutdownGrace);
      await Promise.all([
        closeGracefully(https as unknown as Server, config.limits.shutdownGrace),
        httpServer ? closeGracefully(httpServer, config.limits.shutdownGrace) : undefined,
      ]);
      clearTimeout(deadline);
      await runCleanup(cleanup);
      logger.info({ kind: 'lifecycle' }, 'stopped');
    };

    return { https: httpsAddress, http: httpAddress, reload, shutdown };
  } catch (err) {
    await runCleanup(cleanup);
    throw err;
  }
}

async function runCleanup(steps: (() => Promise<void> | void)[]): Promise<void> {
  for (const step of steps.reverse()) {
    try {
      await step();
    } catch {
      // keep closing the rest
    }
  }
  steps.length = 0;
}

function hostForUrl(a: AddressInfo): string {
  if (a.address === '0.0.0.0' || a.address === '::') return 'localhost';
  return a.family === 'IPv6' ? `[${a.address}]` : a.address;
}

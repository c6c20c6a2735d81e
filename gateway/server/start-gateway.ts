import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { GatewayConfig } from '../config/compile-config.js';
import { withoutHsts } from '../config/schema/build-security-headers.js';
import type { Env } from '../config/load-config.js';
import type { Logger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { createRequestHandler } from '../pipeline/handle-request.js';
import { createUpgradeHandler } from '../pipeline/handle-upgrade.js';
import { createStore } from '../store/create-store.js';
import { createAcmeChallenges } from '../tls/acme-challenges.js';
import type { CertStore, RenewStart } from '../tls/cert-store.js';
import { serverTlsOptions } from '../tls/tls-options.js';
import type { CertPair } from '../tls/self-signed-cert.js';
import { createAdminListener } from './admin-listener.js';
import { buildRuntime, type RuntimeDeps } from './build-runtime.js';
import { createAdminRequestHandler } from './handle-admin-request.js';
import { createHttpRedirectListener } from './http-redirect-listener.js';
import { createHttpsListener } from './https-listener.js';
import { closeGracefully, listen } from './listen.js';
import { createReload, type ReloadResult } from './reload-runtime.js';
import { releaseReplaced } from './runtime-parts.js';
import { fleetThrough } from './fleet.js';
import type { PrimaryLink } from './primary-link.js';

export interface GatewayHandle {
  readonly https: AddressInfo;
  readonly http: AddressInfo | null;
  readonly admin: AddressInfo | null;
  /** Re-reads the config file; a bad file leaves the running config in place. */
  reload(): Promise<ReloadResult>;
  /** POST /admin/acme/renew's work in this process (tls.mode acme; else nothing is started). */
  renewCertificate(): RenewStart;
  shutdown(): Promise<void>;
}

/**
 * provision → validate → serve → cleanup (Caddy's order). Everything made here is closed by
 * `cleanup`, which also runs when a start fails halfway. The store and the metrics live as long
 * as the process; runtimes (build-runtime.ts) come and go with reloads.
 */
export async function startGateway(config: GatewayConfig, logger: Logger, env: Env = process.env, clock: () => number = Date.now, primary: PrimaryLink | null = null): Promise<GatewayHandle> {
  const cleanup: (() => Promise<void> | void)[] = [];
  try {
    const store = await createStore(config.store, logger);
    cleanup.push(() => store.close());
    let shuttingDown = false;
    const acmeChallenges = createAcmeChallenges(store, logger);
    const metrics = createMetrics();
    // Bound below, before the listeners listen.
    let reload: () => Promise<ReloadResult> = () => Promise.reject(new Error('internal: reload before start'));
    const deps: RuntimeDeps = {
      store, clock, logger, metrics, shuttingDown: () => shuttingDown, reload: () => reload(), acmeChallenges,
      fleet: primary && fleetThrough(primary),
      certs: () => runtime.certs,
    };
    let runtime = await buildRuntime(config, deps);
    cleanup.push(() => releaseReplaced(runtime, null));

    const upgraded = new Set<Duplex>();
    const https = createHttpsListener({
      cert: runtime.certs.current,
      limits: config.limits,
      onRequest: createRequestHandler({ runtime: () => runtime, logger, metrics, shuttingDown: () => shuttingDown }),
      onUpgrade: createUpgradeHandler({
        runtime: () => runtime,
        logger,
        metrics,
        track: (socket) => {
          upgraded.add(socket);
          socket.once('close', () => upgraded.delete(socket));
        },
      }),
      baseHeaders: () => runtime.config.baseResponseHeaders,
      logger,
    });
    // Every listener that serves the gateway's certificate: the HTTPS one, and the admin one with tls: true.
    const secureServers: HttpsServer[] = [https];
    const serveCert = (pair: CertPair) => {
      for (const server of secureServers) server.setSecureContext(serverTlsOptions(pair.cert, pair.key));
    };
    const watchCerts = (certs: CertStore) => certs.watch(
      (pair) => {
        serveCert(pair);
        logger.info({ kind: 'tls' }, 'certificate reloaded');
      },
      (err) => logger.error({ kind: 'tls', err: err.message }, 'certificate change rejected; the previous certificate keeps serving'),
    );
    let httpServer: Server | null = null;
    let adminServer: Server | null = null;
    // Both before any listener listens: the first admin request may already scrape or reload.
    metrics.watch({
      connections: async () => {
        const open: Record<string, number> = { https: await connectionsOf(https) };
        if (httpServer) open.http = await connectionsOf(httpServer);
        if (adminServer) open.admin = await connectionsOf(adminServer);
        return open;
      },
      pools: () => [...runtime.upstreams.values()].flatMap((client) => client.use().map((use, target) => ({ ...use, upstream: client.name, target }))),
      storePing: () => store.ping(),
      storeKind: store.describe(),
      certificate: () => runtime.certs.current.cert,
    });

    reload = createReload({
      configFile: config.file, env, deps,
      current: () => runtime,
      switchTo(next) {
        const old = runtime;
        runtime = next;
        if (next.certs === old.certs) return;
        serveCert(next.certs.current);
        watchCerts(next.certs);
      },
    });

    const httpsAddress = await listen(https, config.listeners.https);
    cleanup.push(() => closeGracefully(https as unknown as Server, 0));
    let httpAddress: AddressInfo | null = null;
    if (config.listeners.http) {
      const server = createHttpRedirectListener(() => runtime.config, () => httpsAddress.port, logger, acmeChallenges);
      httpServer = server;
      httpAddress = await listen(server, config.listeners.http);
      cleanup.push(() => closeGracefully(server, 0));
    }
    let adminAddress: AddressInfo | null = null;
    const adminAt = config.listeners.admin;
    if (adminAt) {
      // Without an admin plane (a reload removed the listener from the config): the base set, HSTS only over TLS.
      const baseHeaders = () => runtime.admin?.route.responseHeaders ?? (adminAt.tls ? runtime.config.baseResponseHeaders : withoutHsts(runtime.config.baseResponseHeaders));
      const server = createAdminListener({
        cert: adminAt.tls ? runtime.certs.current : null,
        limits: config.limits,
        onRequest: createAdminRequestHandler({ runtime: () => runtime, logger, metrics, shuttingDown: () => shuttingDown, baseHeaders }),
        baseHeaders,
        logger,
      });
      if (adminAt.tls) secureServers.push(server as HttpsServer);
      adminServer = server as Server;
      adminAddress = await listen(server, adminAt);
      cleanup.push(() => closeGracefully(server as Server, 0));
    }
    // After every bind: an ACME order starts here, and the CA's check needs the HTTP listener.
    watchCerts(runtime.certs);
    logger.info({
      kind: 'lifecycle',
      https: `https://${hostForUrl(httpsAddress)}:${httpsAddress.port}`,
      http: httpAddress ? `http://${hostForUrl(httpAddress)}:${httpAddress.port}` : undefined,
      admin: adminAddress ? `${adminAt?.tls ? 'https' : 'http'}://${hostForUrl(adminAddress)}:${adminAddress.port}` : undefined,
      https_port: httpsAddress.port,
      http_port: httpAddress?.port,
      admin_port: adminAddress?.port,
      store: store.describe(),
      routes: config.routes.length,
    }, 'gateway listening');

    const shutdown = async () => {
      if (shuttingDown) return;
      shuttingDown = true;
      const grace = runtime.config.limits.shutdownGrace;
      logger.info({ kind: 'lifecycle', grace_ms: grace }, 'shutting down');
      const deadline = setTimeout(() => {
        for (const s of upgraded) s.destroy();
      }, grace);
      await Promise.all([
        closeGracefully(https as unknown as Server, grace),
        httpServer ? closeGracefully(httpServer, grace) : undefined,
        adminServer ? closeGracefully(adminServer, grace) : undefined,
      ]);
      clearTimeout(deadline);
      await runCleanup(cleanup);
      logger.info({ kind: 'lifecycle' }, 'stopped');
    };

    const renewCertificate = (): RenewStart => runtime.certs.renewNow?.() ?? { started: false };
    primary?.serve({
      reload: () => reload(),
      'reload-refused': async () => metrics.reloaded(false),
      'acme-renew': async () => renewCertificate(),
      metrics: () => metrics.series(),
    });
    return { https: httpsAddress, http: httpAddress, admin: adminAddress, reload, renewCertificate, shutdown };
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

function connectionsOf(server: Server | HttpsServer): Promise<number> {
  return new Promise((resolve) => {
    server.getConnections((err, count) => resolve(err ? 0 : count));
  });
}

function hostForUrl(a: AddressInfo): string {
  if (a.address === '0.0.0.0' || a.address === '::') return 'localhost';
  return a.family === 'IPv6' ? `[${a.address}]` : a.address;
}

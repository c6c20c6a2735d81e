import express, { type Router } from 'express';
import { answerProblem, notFound } from './answer-problem.js';

/**
 * Readiness checks the data plane supplies; each resolves true when that dependency is fine.
 * (No config check: a gateway answering here has a loaded config by construction.)
 */
export interface ReadinessProbe {
  /** false until an identity provider's first key set has loaded. */
  authReady(): boolean;
  storeReachable(): Promise<boolean>;
  /** Each upstream's targets, and whether every upstream has one that answers. */
  upstreams(): Promise<{ ready: boolean; upstreams: Record<string, unknown> }>;
  shuttingDown(): boolean;
}

/**
 * The control plane: the gateway's own endpoints. Express is here for what it is good at
 * (routing, body parsing, error handling of a few JSON endpoints) and never on the proxy path.
 */
export function createApiApp(probe: ReadinessProbe, authRoutes: Router | null): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  app.get('/healthz', (_req, res) => {
    res.set('cache-control', 'no-store').json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const [store, backends] = await Promise.all([probe.storeReachable(), probe.upstreams()]);
    const checks = { store, backend: backends.ready, auth: probe.authReady(), accepting: !probe.shuttingDown() };
    const ready = Object.values(checks).every(Boolean);
    // Targets by position in the config, never by address: this endpoint is public.
    res.status(ready ? 200 : 503).set('cache-control', 'no-store').json({ status: ready ? 'ready' : 'not_ready', checks, upstreams: backends.upstreams });
  });

  if (authRoutes) app.use('/api/auth', authRoutes);

  app.use(notFound);
  app.use(answerProblem);
  return app;
}

import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { asGatewayError, GatewayError, writeProblem } from '../errors.js';
import { contextOf, responseHeadersOf } from '../pipeline/request-context.js';

/**
 * Readiness checks the data plane supplies; each resolves true when that dependency is fine.
 * (No config check: a gateway answering here has a loaded config by construction.)
 */
export interface ReadinessProbe {
  /** false until an identity provider's first key set has loaded. */
  authReady(): boolean;
  storeReachable(): Promise<boolean>;
  backendReachable(): Promise<boolean>;
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
    const [store, backend] = await Promise.all([probe.storeReachable(), probe.backendReachable()]);
    const checks = { store, backend, auth: probe.authReady(), accepting: !probe.shuttingDown() };
    const ready = Object.values(checks).every(Boolean);
    res.status(ready ? 200 : 503).set('cache-control', 'no-store').json({ status: ready ? 'ready' : 'not_ready', checks });
  });

  if (authRoutes) app.use('/api/auth', authRoutes);

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new GatewayError('route.not_found', `no gateway endpoint at ${req.path}`));
  });

  // Express's own error page would leak a stack trace; every error becomes problem+json here.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const ctx = contextOf(req);
    const gatewayError = bodyParserError(err) ?? asGatewayError(err);
    if (ctx) ctx.reason = gatewayError.code;
    writeProblem(res, gatewayError, ctx?.requestId ?? '-', ctx ? responseHeadersOf(ctx) : []);
  });
  return app;
}

/** body-parser's errors carry a `type` and a status: 400 for a bad body, 413 for one over the limit. */
function bodyParserError(err: unknown): GatewayError | null {
  if (typeof err !== 'object' || err === null || !('type' in err) || typeof (err as { type: unknown }).type !== 'string' || !('status' in err)) return null;
  const status = (err as { status: unknown }).status;
  if (status === 413) return new GatewayError('request.body_too_large', 'the request body is larger than this endpoint accepts');
  if (status === 400) return new GatewayError('request.malformed', 'the request body is not valid');
  return null;
}

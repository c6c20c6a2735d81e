import express, { type NextFunction, type Request, type Response } from 'express';
import { GatewayError } from '../../errors.js';
import { contextOf } from '../../pipeline/request-context.js';
import { StoreUnavailableError } from '../../store/store.js';
import { answerProblem, notFound } from '../answer-problem.js';
import type { AdminCall, AdminEndpoint, AdminEndpoints } from './admin-endpoints.js';

export const ADMIN_INDEX_PATH = '/admin';

/**
 * The admin listener's control plane. Requests reach it already authenticated with the admin
 * role (server/handle-admin-request.ts); here they are only routed. Adding endpoints is adding
 * a group to the list: each endpoint is listed at GET /admin, answers 405 with Allow to other
 * methods, and turns whatever it throws into problem+json.
 */
export function createAdminApp(groups: readonly AdminEndpoints[]): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  // Exact paths: /admin/cache/purge, not /ADMIN/Cache/Purge/ as well.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  const json = express.json({ limit: '16kb' });

  const index = [
    { group: 'admin', method: 'GET', path: ADMIN_INDEX_PATH, summary: 'this list' },
    ...groups.flatMap((g) => g.endpoints.map((e) => ({ group: g.group, method: e.method, path: e.path, summary: e.summary }))),
  ];
  const methods = new Map<string, Set<string>>();
  for (const { method, path } of index) {
    const known = methods.get(path) ?? new Set<string>();
    // A wiring mistake, refused when the config loads rather than shadowing an endpoint.
    if (known.has(method)) throw new Error(`internal: two admin endpoints for ${method} ${path}`);
    known.add(method);
    // RFC 9110 9.3.2: a GET endpoint answers HEAD too (Express routes HEAD to it).
    if (method === 'GET') known.add('HEAD');
    methods.set(path, known);
  }

  app.get(ADMIN_INDEX_PATH, (_req, res) => {
    res.json({ endpoints: index });
  });
  for (const group of groups) {
    for (const endpoint of group.endpoints) {
      if (endpoint.method === 'GET') app.get(endpoint.path, handler(endpoint));
      else app.post(endpoint.path, json, handler(endpoint));
    }
  }
  // RFC 9110 15.5.6: a known path with another method is 405 with Allow, not 404.
  for (const [path, allowed] of methods) {
    const allow = [...allowed].join(', ');
    app.all(path, (req: Request, _res: Response, next: NextFunction) => {
      next(new GatewayError('route.method_not_allowed', `${req.method} is not allowed here`, { headers: { allow } }));
    });
  }
  app.use(notFound);
  app.use(answerProblem);
  return app;
}

function handler(endpoint: AdminEndpoint) {
  return (req: Request, res: Response, next: NextFunction): void => {
    // Every request here came through the admin chain, which lent its context with the principal set.
    const call = contextOf(req) as AdminCall;
    Promise.resolve()
      .then(() => endpoint.handle(req, res, call))
      .catch((err: unknown) => next(err instanceof StoreUnavailableError
        // An operator must be told the purge (or the read) did not happen for this reason, not a 500.
        ? new GatewayError('store.unavailable', undefined, { cause: err })
        : err));
  };
}

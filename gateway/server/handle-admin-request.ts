import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, writeProblem } from '../errors.js';
import { createAccessLogger } from '../observability/access-log.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { answerError } from '../pipeline/answer-error.js';
import { checkRequest } from '../pipeline/check-request.js';
import { beginRequest } from '../pipeline/begin-request.js';
import { normalizeTarget } from '../pipeline/normalize-path.js';
import type { HttpContext } from '../pipeline/request-context.js';
import type { AdminPlane } from './build-admin-plane.js';

export interface AdminHandlerDeps {
  /** Read per request: a reload's new keys, roles and endpoints apply to the next one. */
  runtime(): { readonly config: HttpContext['config']; readonly admin: AdminPlane | null };
  logger: Logger;
  metrics: Metrics;
  shuttingDown(): boolean;
  /** The listener's headers when the running config has no admin plane (the listener's edge answers' own). */
  baseHeaders(): readonly string[];
}

/**
 * The admin listener's entry: the main listener's request checks (HTTP/1.x, one Host,
 * origin-form, path normalization), then the admin chain, which authenticates before anything is
 * routed (pipeline/build-admin-chain.ts). No Host allow-list: operators reach it by address.
 * One access-log line per request, with `listener: "admin"`.
 */
export function createAdminRequestHandler(deps: AdminHandlerDeps) {
  // The pipeline's line format, marked by a binding: the main listener's lines pay nothing for it.
  const accessLogger = createAccessLogger(deps.logger).child({ listener: 'admin' });
  return function handleAdminRequest(req: IncomingMessage, res: ServerResponse): void {
    const runtime = deps.runtime();
    const ctx = beginRequest(req, res, runtime.config, accessLogger, deps.metrics, deps.shuttingDown());
    const admin = runtime.admin;
    if (admin === null) {
      // A reload removed listeners.admin; the listener itself goes at the next start (a listener change).
      const refusal = new GatewayError('route.not_found', 'the running config has no admin listener');
      ctx.reason = refusal.code;
      writeProblem(res, refusal, ctx.requestId, deps.baseHeaders());
      return;
    }
    admit(ctx, admin).catch((err: unknown) => answerError(ctx, err, deps.logger));
  };
}

async function admit(ctx: HttpContext, admin: AdminPlane): Promise<void> {
  // From here every answer, refusals included, carries the admin route's headers (and no-store).
  ctx.route = admin.route;
  ctx.host = checkRequest(ctx.req, ctx.config.limits.maxHeaders);
  const target = normalizeTarget(ctx.req.url!);
  if (!target.ok) throw new GatewayError('request.bad_path', target.reason);
  ctx.path = target.path;
  ctx.query = target.query;
  await admin.chain(ctx);
}

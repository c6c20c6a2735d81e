import type { NextFunction, Request, Response } from 'express';
import { asGatewayError, GatewayError, writeProblem } from '../errors.js';
import { contextOf, responseHeadersOf } from '../pipeline/request-context.js';

/** Express's last handlers for every control-plane app (the main listener's and the admin one). */

/** No endpoint answered: 404 problem+json, never Express's HTML page. */
export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new GatewayError('route.not_found', `no gateway endpoint at ${req.path}`));
}

/** Express's own error page would leak a stack trace; every error becomes problem+json here. */
export function answerProblem(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  const ctx = contextOf(req);
  const gatewayError = bodyParserError(err) ?? asGatewayError(err);
  if (ctx) ctx.reason = gatewayError.code;
  writeProblem(res, gatewayError, ctx?.requestId ?? '-', ctx ? responseHeadersOf(ctx) : []);
}

/** body-parser's errors carry a `type` and a status: 400 for a bad body, 413 for one over the limit. */
function bodyParserError(err: unknown): GatewayError | null {
  if (typeof err !== 'object' || err === null || !('type' in err) || typeof (err as { type: unknown }).type !== 'string' || !('status' in err)) return null;
  const status = (err as { status: unknown }).status;
  if (status === 413) return new GatewayError('request.body_too_large', 'the request body is larger than this endpoint accepts');
  if (status === 400) return new GatewayError('request.malformed', 'the request body is not valid');
  return null;
}

import type { Express } from 'express';
import { lendContext, type HttpContext, type Stage } from './request-context.js';

/**
 * Terminal stage for routes whose target is the gateway itself: hand the request to the
 * Express app with the security headers already set and the normalized path as its URL.
 * The API reads the context back with `contextOf(req)`.
 */
export function createGatewayApiStage(app: Express): Stage<HttpContext> {
  return (ctx) => new Promise<void>((resolve) => {
    const { req, res } = ctx;
    const route = ctx.route!;
    const headers = route.responseHeaders;
    for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i]!, headers[i + 1]!);
    // A default the endpoint may replace with its own (res.set), as a backend's would stand.
    if (route.defaultCacheControl !== null) res.setHeader('cache-control', route.defaultCacheControl);
    if (ctx.extraHeaders) for (let i = 0; i < ctx.extraHeaders.length; i += 2) res.appendHeader(ctx.extraHeaders[i]!, ctx.extraHeaders[i + 1]!);
    res.setHeader('x-request-id', ctx.requestId);
    req.url = ctx.path + ctx.query;
    lendContext(req, ctx);
    res.once('close', resolve);
    app(req, res);
  });
}

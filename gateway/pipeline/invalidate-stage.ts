import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import { pathTag, resolveTag } from '../cache/cache-key.js';
import { invalidationTargets } from '../cache/policy/invalidation-targets.js';
import { normalizeTarget } from './normalize-path.js';
import type { ResponseCache } from '../cache/response-cache.js';
import type { Logger } from '../observability/logger.js';
import type { BackendReply } from '../upstream/backend-exchange.js';
import type { HttpContext, ReplyHook, Stage } from './request-context.js';

// RFC 9110 9.2.1: the safe methods; every other one may change what a GET would return.
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * Unsafe requests on a gateway that caches: once the backend has answered, and before the client
 * can read its own write back, the entries it made stale are invalidated on every instance:
 * - RFC 9111 4.4: a non-error answer invalidates the target path and same-origin
 *   Location / Content-Location paths (every query, every principal);
 * - the route's `invalidates` tags, after a 2xx, with {user} and :params filled from this request.
 * A store that fails here is logged; the write itself has happened and its answer is sent.
 */
export function createInvalidateStage(route: CompiledRoute, deps: { cache: ResponseCache; logger: Logger }): Stage<HttpContext> {
  const hook: ReplyHook = {
    bufferUpTo: 0,
    async beforeClient(reply: BackendReply, ctx: HttpContext) {
      // Only paths a cached route answers GETs for can have entries: a write elsewhere (an
      // anonymous POST to any path) must not leave a tag in the store for each path it names.
      const tags = invalidationTargets({ method: ctx.req.method!, status: reply.status, path: ctx.path, responseHeaders: reply.headers, origin: `https://${ctx.req.headers.host ?? ''}`, normalize })
        .filter((path) => cachedPath(ctx.config, path)).map(pathTag);
      if (reply.status >= 200 && reply.status < 300) {
        for (const template of route.invalidates) {
          const tag = resolveTag(template, ctx.params, ctx.principal);
          if (tag !== null) tags.push(tag);
        }
      }
      if (tags.length === 0) return;
      try {
        await deps.cache.invalidate(tags);
      } catch (err) {
        deps.cache.storeFailed(err);
        deps.logger.warn({ kind: 'cache', request_id: ctx.requestId, route: route.id, tags: tags.length }, 'invalidation not recorded: the store failed; entries stay until they expire');
      }
    },
  };
  return (ctx, next) => {
    if (SAFE.has(ctx.req.method!)) return next();
    (ctx.replyHooks ??= []).push(hook);
    return next();
  };
}

/** Location paths canonicalized as request paths are, so they name the same entries; null when the gateway would refuse the path. */
function normalize(path: string): string | null {
  const n = normalizeTarget(path);
  return n.ok ? n.path : null;
}

function cachedPath(config: GatewayConfig, path: string): boolean {
  const match = config.table.match(path, 'GET');
  return match.found && match.route.cache !== null;
}

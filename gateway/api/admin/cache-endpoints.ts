import type { CacheAdmin } from '../../cache/cache-admin.js';
import { GatewayError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import type { AdminEndpoints } from './admin-endpoints.js';
import { parsePurgeRequest, type PurgeRequest } from './purge-request.js';

/**
 * Purge and stats. `cache` is null when no route has a cache config: the endpoints still exist
 * (and are listed), and answer 404 after checking the request, so a bad body is a 400 either way.
 */
export function cacheEndpoints(cache: CacheAdmin | null, logger: Logger): AdminEndpoints {
  const the = (): CacheAdmin => {
    if (cache === null) throw new GatewayError('route.not_found', 'no route caches: no route has a cache config');
    return cache;
  };
  return {
    group: 'cache',
    endpoints: [
      {
        method: 'POST',
        path: '/admin/cache/purge',
        summary: 'invalidate cached responses on every instance: {"tags": [...]}, {"path": "/api/...", "principal"?: {"id", "method"}} or {"all": true}',
        async handle(req, res, call) {
          const parsed = parsePurgeRequest(req.body);
          if (!parsed.ok) throw new GatewayError('request.malformed', parsed.problem);
          const purged = await purge(the(), parsed.request);
          // Who emptied what: an operator's action, logged like a revoke-all (names, never credentials).
          logger.info({ kind: 'admin', event: 'cache_purge', form: parsed.request.kind, purged, by: call.principal.id, request_id: call.requestId }, 'cache purged');
          res.json({ purged });
        },
      },
      {
        method: 'GET',
        path: '/admin/cache/stats',
        summary: 'per cached route: entries and bytes stored, this instance\'s hits, misses, stale, bypass and hit ratio',
        async handle(_req, res) {
          res.json({ routes: await the().stats() });
        },
      },
    ],
  };
}

async function purge(cache: CacheAdmin, request: PurgeRequest): Promise<Record<string, unknown>> {
  switch (request.kind) {
    case 'tags':
      return { tags: await cache.purgeTags(request.tags) };
    case 'path':
      return { path: request.path, entries: await cache.purgePath(request.path, request.principal) };
    case 'all':
      await cache.purgeAll();
      return { all: true };
  }
}

import { GatewayError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import type { ReloadResult } from '../../server/reload-runtime.js';
import type { AdminEndpoints } from './admin-endpoints.js';

/**
 * POST /admin/reload: what SIGHUP does (the same reload, one at a time with it), answered with
 * what changed, or 422 with the errors that kept the running config in place.
 */
export function reloadEndpoints(reload: () => Promise<ReloadResult>, logger: Logger): AdminEndpoints {
  return {
    group: 'config',
    endpoints: [
      {
        method: 'POST',
        path: '/admin/reload',
        summary: 're-read the config file, as SIGHUP does: {"reloaded": {routesAdded, routesRemoved, routesChanged, sectionsChanged, restartNeeded}}, or 422 with "errors"',
        async handle(_req, res, call) {
          // Who asked, beside the reload's own line (names, never credentials).
          logger.info({ kind: 'admin', event: 'reload', by: call.principal.id, request_id: call.requestId }, 'reload requested');
          const result = await reload();
          if (!result.ok) {
            throw new GatewayError('config.rejected', `${result.errors.length} error${result.errors.length === 1 ? '' : 's'}; nothing changed`, { extensions: { errors: result.errors } });
          }
          const { ok: _ok, ...reloaded } = result;
          res.json({ reloaded });
        },
      },
    ],
  };
}

import { GatewayError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import type { FleetReload } from '../../server/combine-reloads.js';
import type { Fleet } from '../../server/fleet.js';
import type { ReloadResult } from '../../server/reload-runtime.js';
import type { AdminEndpoints } from './admin-endpoints.js';

/**
 * POST /admin/reload: what SIGHUP does (the same reload, one at a time with it), answered with
 * what changed, or 422 with the errors that kept the running config in place. Under `workers`
 * (`fleet`) every worker reloads, through the primary, and the answer lists each one.
 */
export function reloadEndpoints(reload: () => Promise<ReloadResult>, fleet: Fleet | null, logger: Logger): AdminEndpoints {
  return {
    group: 'config',
    endpoints: [
      {
        method: 'POST',
        path: '/admin/reload',
        summary: 're-read the config file, as SIGHUP does: {"reloaded": {routesAdded, routesRemoved, routesChanged, sectionsChanged, restartNeeded}}, or 422 with "errors"; under workers every worker, listed in "workers" (409 when only some applied it)',
        async handle(_req, res, call) {
          // Who asked, beside the reload's own line (names, never credentials).
          logger.info({ kind: 'admin', event: 'reload', by: call.principal.id, request_id: call.requestId }, 'reload requested');
          if (fleet !== null) {
            res.json(answerFleet(await fleet.reload()));
            return;
          }
          const result = await reload();
          if (!result.ok) throw refused(result.errors, {});
          const { ok: _ok, ...reloaded } = result;
          res.json({ reloaded });
        },
      },
    ],
  };
}

/** 200 with the diff when every worker applied it; else the problem that says who did what. */
function answerFleet(result: FleetReload): Record<string, unknown> {
  switch (result.kind) {
    case 'applied':
      return { reloaded: result.reloaded, workers: result.workers };
    case 'refused':
      throw refused(result.errors, { workers: result.workers });
    case 'incomplete': {
      const applied = result.workers.filter((w) => w.outcome === 'applied').length;
      throw new GatewayError('config.reload_incomplete', `${applied} of ${result.workers.length} workers applied the config; "workers" says what each did`, { extensions: { workers: result.workers } });
    }
  }
}

function refused(errors: readonly string[], extensions: Record<string, unknown>): GatewayError {
  return new GatewayError('config.rejected', `${errors.length} error${errors.length === 1 ? '' : 's'}; nothing changed`, { extensions: { errors, ...extensions } });
}

import { configView } from '../../config/config-view.js';
import type { AdminEndpoints } from './admin-endpoints.js';

/**
 * GET /admin/config: the config this request runs with (a reload's, from the next request), every
 * secret redacted (config/secrets.ts SECRET_PATHS).
 */
export function configEndpoints(): AdminEndpoints {
  return {
    group: 'config',
    endpoints: [
      {
        method: 'GET',
        path: '/admin/config',
        summary: 'the running config: sections as loaded (defaults filled in, durations in ms), routes as written; secrets redacted',
        handle(_req, res, call) {
          res.json(configView(call.config));
        },
      },
    ],
  };
}

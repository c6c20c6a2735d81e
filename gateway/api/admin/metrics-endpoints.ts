import type { Metrics } from '../../observability/metrics.js';
import type { AdminEndpoints } from './admin-endpoints.js';

/** GET /metrics for Prometheus, behind the same authentication as every admin request. */
export function metricsEndpoints(metrics: Metrics): AdminEndpoints {
  return {
    group: 'metrics',
    endpoints: [
      {
        method: 'GET',
        path: '/metrics',
        summary: 'this instance\'s metrics, Prometheus text format 0.0.4 (docs/admin.md lists the series)',
        async handle(_req, res) {
          const text = await metrics.render();
          res.set('content-type', metrics.contentType).send(text);
        },
      },
    ],
  };
}

import type { Metrics } from '../../observability/metrics.js';
import type { Fleet } from '../../server/fleet.js';
import type { AdminEndpoints } from './admin-endpoints.js';

/**
 * GET /metrics for Prometheus, behind the same authentication as every admin request. Under
 * `workers` the series of every worker, merged by the primary (observability/cluster-metrics.ts):
 * whichever worker takes the scrape, it shows the whole process group.
 */
export function metricsEndpoints(metrics: Metrics, fleet: Fleet | null): AdminEndpoints {
  const render = fleet === null ? () => metrics.render() : () => fleet.scrape();
  return {
    group: 'metrics',
    endpoints: [
      {
        method: 'GET',
        path: '/metrics',
        summary: `${fleet === null ? 'this instance\'s' : 'every worker\'s'} metrics, Prometheus text format 0.0.4 (docs/admin.md lists the series)`,
        async handle(_req, res) {
          const text = await render();
          res.set('content-type', metrics.contentType).send(text);
        },
      },
    ],
  };
}

import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * /metrics under `workers`: each worker counts in its own registry; the primary asks every one
 * for its series (prom-client's AggregatorRegistry, over the cluster's IPC channel) and merges
 * them by each series' `aggregator`: counters and histograms summed, each gauge as metrics.ts
 * says (connections summed, store up and certificate expiry the lowest).
 */

/** In a worker: answer the primary's scrapes with `registry` (not prom-client's global one). */
export function answerPrimaryScrapes(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructed for its side effect: it listens for the primary's requests (once per process).
  new AggregatorRegistry();
}

/** In the primary: one scrape of every worker, merged. Rejects when a worker has not answered within 5 s (prom-client's bound). */
export function createClusterScrape(): { scrape(): Promise<string>; readonly contentType: string } {
  const aggregator = new AggregatorRegistry();
  return { scrape: () => aggregator.clusterMetrics(), contentType: aggregator.contentType };
}

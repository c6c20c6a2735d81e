import { AggregatorRegistry, Registry } from 'prom-client';

/**
 * /metrics under `workers`: each worker counts in its own registry and hands its series to the
 * primary (over the cluster's IPC channel, server/cluster-coordinator.ts); the primary merges
 * them by each series' `aggregator` (prom-client's AggregatorRegistry.aggregate): counters and
 * histograms summed, each gauge as metrics.ts says.
 *
 * A worker that dies takes its registry with it. Prometheus reads any drop of a counter as a
 * reset (rate() and increase() then count the whole new value again), so the primary keeps each
 * worker's last series and, when the worker exits, folds its counters and histograms into a
 * retired total that every later scrape adds. Its gauges go with it: they described a process
 * that is gone. What it counted after its last scrape is lost (it cannot be asked once dead).
 */

/** One registry's series as `getMetricsAsJSON()` gives them (what crosses the IPC channel). */
export type WorkerSeries = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;
type Series = WorkerSeries[number];

/** In a worker: what it hands the primary's scrape. */
export function seriesOf(registry: Registry): Promise<WorkerSeries> {
  return registry.getMetricsAsJSON();
}

export interface ClusterMetrics {
  /** A new scrape's number: a worker's answer is kept only if no later scrape's answer is. */
  begin(): number;
  /** `worker`'s answer to scrape `scrape`; false when it is ignored (the worker exited already). */
  seen(worker: number, scrape: number, series: WorkerSeries): boolean;
  /** `worker` exited: its last counters and histograms join the retired total, its gauges go. */
  retire(worker: number): void;
  /** Whether `worker` exited (was retired). */
  retired(worker: number): boolean;
  /** The merged exposition: retired total, and each live worker's last series (gauges only of those in `fresh`). */
  render(fresh: ReadonlySet<number>): Promise<string>;
  readonly contentType: string;
}

export function createClusterMetrics(): ClusterMetrics {
  const latest = new Map<number, { scrape: number; series: WorkerSeries }>();
  /** Cluster ids are never reused: an answer that arrives after its worker's exit is dropped by this. */
  const retiredIds = new Set<number>();
  let retired: WorkerSeries = [];
  let nextScrape = 0;
  return {
    contentType: Registry.PROMETHEUS_CONTENT_TYPE,
    begin: () => nextScrape++,
    seen(worker, scrape, series) {
      if (retiredIds.has(worker)) return false;
      const kept = latest.get(worker);
      // Two scrapes overlapping: the older answer must not replace the newer (counters would step back).
      if (kept === undefined || kept.scrape < scrape) latest.set(worker, { scrape, series });
      return true;
    },
    retire(worker) {
      retiredIds.add(worker);
      const kept = latest.get(worker);
      latest.delete(worker);
      if (kept !== undefined) retired = foldCounts(retired, kept.series);
    },
    retired: (worker) => retiredIds.has(worker),
    async render(fresh) {
      const parts: WorkerSeries[] = [];
      // A live worker that did not answer in time still counted what it counted: its last counters stay.
      for (const [worker, kept] of latest) parts.push(fresh.has(worker) ? kept.series : kept.series.filter(isCount));
      parts.push(retired);
      return AggregatorRegistry.aggregate(parts).metrics();
    },
  };
}

/** Series that only grow while their process lives (OpenMetrics: counter, histogram). */
function isCount(s: Series): boolean {
  // prom-client types `type` as an enum of these strings; over IPC it is the plain string.
  const type = s.type as unknown as string;
  return type === 'counter' || type === 'histogram';
}

/**
 * `total` plus the counters and histograms of `dead`, summed per series and label set (a
 * histogram's `_bucket`, `_sum` and `_count` apart): the same sum aggregate() makes at a scrape.
 */
export function foldCounts(total: WorkerSeries, dead: WorkerSeries): WorkerSeries {
  const byName = new Map<string, { head: Series; values: Map<string, Series['values'][number]> }>();
  for (const s of [...total, ...dead.filter(isCount)]) {
    let entry = byName.get(s.name);
    if (entry === undefined) byName.set(s.name, (entry = { head: s, values: new Map() }));
    for (const v of s.values) {
      const key = valueKey(v);
      const had = entry.values.get(key);
      entry.values.set(key, had === undefined ? { ...v } : { ...had, value: had.value + v.value });
    }
  }
  return [...byName.values()].map(({ head, values }) => ({ ...head, values: [...values.values()] }));
}

function valueKey(v: Series['values'][number]): string {
  const labels = Object.entries(v.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([(v as { metricName?: string }).metricName ?? '', labels]);
}

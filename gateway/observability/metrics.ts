import { X509Certificate } from 'node:crypto';
import { Gauge, Registry, type Metric } from 'prom-client';
import { ERROR_TABLE } from '../errors.js';
import { seriesOf, type WorkerSeries } from './cluster-metrics.js';
import { CounterCells, HistogramCells, type CellValue, type CounterCell, type HistogramCell } from './metric-cells.js';
import type { RequestContext } from '../pipeline/request-context.js';

/**
 * The one owner of prom-client. One `Metrics` per process, made before the first runtime and
 * handed to every runtime a reload builds (as the store is), so a reload neither resets nor
 * duplicates a series. Labels are bounded by the config, never by a request: route ids (and
 * "(none)" for requests no route matched), a fixed method list, status classes, error codes,
 * policy names. docs/admin.md lists the series.
 */
export interface Metrics {
  /** The Prometheus text exposition format 0.0.4 of every series. */
  render(): Promise<string>;
  readonly contentType: string;
  /** Called once per finished request or WebSocket handshake (when its log line is written). */
  finished(ctx: RequestContext): void;
  /** Binds a route's series at chain build; finished() then finds them without building any. */
  bindRoute(routeId: string): void;
  /** A cached route's outcome counters (the response cache counts through these). */
  cacheOutcomes(routeId: string): Readonly<Record<CacheOutcome, Increment>>;
  /** A policy's refusals (`unauthenticated` for the per-address budget). */
  rateLimited(policy: string): Increment;
  /** One reload (SIGHUP, POST /admin/reload) and its result. */
  reloaded(ok: boolean): void;
  /** What is read at scrape time, from whichever runtime is current then. */
  watch(sources: ScrapeSources): void;
  /** In a cluster worker: this registry's series, for the primary to merge (cluster-metrics.ts). */
  series(): Promise<WorkerSeries>;
}

/** An upstream target pool's use: its connections, its requests, and the most connections it opens. */
export interface PoolUse {
  readonly connected: number;
  readonly queued: number;
  readonly running: number;
  readonly limit: number;
}

/**
 * One target's pool. The target is its position in the upstream's `targets` list, as /readyz
 * names it: bounded by the config, and no backend address on the admin surface.
 */
export interface TargetPoolUse extends PoolUse {
  readonly upstream: string;
  readonly target: number;
}

export type CacheOutcome = 'hits' | 'misses' | 'stale' | 'bypass';
export interface Increment { inc(): void }

export interface ScrapeSources {
  /** Open connections per listener (`server.getConnections`), upgraded WebSockets included. */
  connections(): Promise<Readonly<Record<string, number>>>;
  /** Each upstream target's pool now, by upstream name and target (upstream/upstream-client.ts). */
  pools(): readonly TargetPoolUse[];
  /** Resolves when the store answers a ping. */
  storePing(): Promise<void>;
  readonly storeKind: string;
  /** The certificate the HTTPS listener serves now, PEM. */
  certificate(): string;
}

/** Methods outside this list share one label value, so a client cannot mint series. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'other'] as const;
/** 0: no answer was sent (the client left first; a handshake the backend never answered). */
const CLASSES = ['none', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;
/** The route label of requests refused before a route matched (bad path, 404, 405, 421). */
export const NO_ROUTE = '(none)';
/** From 1 ms to a minute: a fast backend's hits and the longest upstream timeouts both land in a bucket. */
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const OUTCOME_LABEL: Readonly<Record<CacheOutcome, string>> = { hits: 'hit', misses: 'miss', stale: 'stale', bypass: 'bypass' };

interface RouteSeries {
  /** Cells by method slot × status class, bound on first use. */
  readonly counts: (CounterCell | undefined)[];
  readonly route: string;
  readonly duration: HistogramCell;
  /** Bound at a route's first forwarded request: routes the gateway answers itself never have one. */
  upstream: HistogramCell | undefined;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const counter = (name: string, help: string) => cellCounter(registry, name, help);
  const requests = counter('gateway_requests_total', 'Requests and WebSocket handshakes answered, by route, method and status class ("none": no answer was sent).');
  const duration = cellHistogram(registry, 'gateway_request_duration_seconds', 'Time from the request\'s arrival to the end of its response, by route (WebSocket handshakes excluded).');
  const upstream = cellHistogram(registry, 'gateway_upstream_duration_seconds', 'Time the backend took to answer a request the gateway forwarded, by route.');
  const cache = counter('gateway_cache_requests_total', 'Requests on cached routes by outcome (hit, miss, stale, bypass).');
  const limited = counter('gateway_rate_limited_total', 'Requests refused with 429 by a rate-limit policy ("unauthenticated": the per-address budget).');
  const authFailures = counter('gateway_auth_failures_total', 'Requests refused by authentication or authorization, by error code.');
  const upstreamErrors = counter('gateway_upstream_errors_total', 'Backend failures answered or cut short, by error code.');
  const reloads = counter('gateway_reloads_total', 'Config reloads (SIGHUP or POST /admin/reload) by result.');
  // Under workers the lowest: 0 when any worker's last reload was rejected.
  const lastReload = new Gauge({ name: 'gateway_config_last_reload_successful', help: 'Whether the last reload was applied (1) or rejected (0); 1 before any.', registers: [registry], aggregator: 'min' });
  lastReload.set(1);

  // Every code of the two families, at zero from the start: a rate over a series that appears
  // only with its first failure misses that failure.
  const reasons = new Map<string, Increment>();
  for (const code of Object.keys(ERROR_TABLE)) {
    if (code.startsWith('auth.')) reasons.set(code, authFailures.bind({ reason: code }));
    else if (code.startsWith('upstream.')) reasons.set(code, upstreamErrors.bind({ kind: code }));
  }
  const reloadResults = { success: reloads.bind({ result: 'success' }), failure: reloads.bind({ result: 'failure' }) };

  const routes = new Map<string, RouteSeries>();
  const bind = (route: string): RouteSeries => {
    let series = routes.get(route);
    if (series === undefined) {
      series = { counts: new Array<CounterCell | undefined>(METHODS.length * CLASSES.length), route, duration: duration.bind({ route }), upstream: undefined };
      routes.set(route, series);
    }
    return series;
  };
  const unrouted = bind(NO_ROUTE);

  let sources: ScrapeSources | null = null;
  gauges(registry, () => sources);

  return {
    render: () => registry.metrics(),
    contentType: registry.contentType,
    bindRoute: (routeId) => {
      bind(routeId);
    },
    finished(ctx) {
      const series = ctx.route === null ? unrouted : routes.get(ctx.route.id) ?? bind(ctx.route.id);
      const { res } = ctx;
      const status = res !== null ? (res.headersSent ? res.statusCode : 0) : ctx.handshake!.status;
      const method = methodSlot(ctx.req.method!);
      const cls = statusClass(status);
      const slot = method * CLASSES.length + cls;
      (series.counts[slot] ??= requests.bind({ route: series.route, method: METHODS[method]!, status_class: CLASSES[cls]! })).inc();
      // A handshake's line covers the whole WebSocket's life: no latency for it.
      if (res !== null) series.duration.observe((performance.now() - ctx.startedAt) / 1000);
      if (ctx.upstreamMs !== undefined) (series.upstream ??= upstream.bind({ route: series.route })).observe(ctx.upstreamMs / 1000);
      if (ctx.reason !== undefined) reasons.get(ctx.reason)?.inc();
    },
    cacheOutcomes: (routeId) => ({
      hits: cache.bind({ route: routeId, outcome: OUTCOME_LABEL.hits }),
      misses: cache.bind({ route: routeId, outcome: OUTCOME_LABEL.misses }),
      stale: cache.bind({ route: routeId, outcome: OUTCOME_LABEL.stale }),
      bypass: cache.bind({ route: routeId, outcome: OUTCOME_LABEL.bypass }),
    }),
    rateLimited: (policy) => limited.bind({ policy }),
    reloaded(ok) {
      (ok ? reloadResults.success : reloadResults.failure).inc();
      lastReload.set(ok ? 1 : 0);
    },
    watch(s) {
      sources = s;
    },
    series: () => seriesOf(registry),
  };
}

/**
 * A counter whose label sets are cells (metric-cells.ts): bumped on the request path with no
 * label hashing, handed to prom-client's registry for the exposition when scraped.
 */
function cellCounter(registry: Registry, name: string, help: string): CounterCells {
  const cells = new CounterCells();
  register(registry, name, help, 'counter', () => cells.values());
  return cells;
}

/** A histogram by route the same way: 1 ms to a minute, so fast hits and the longest timeouts both land in a bucket. */
function cellHistogram(registry: Registry, name: string, help: string): HistogramCells {
  const cells = new HistogramCells(name, SECONDS);
  register(registry, name, help, 'histogram', () => cells.values());
  return cells;
}

/**
 * A series the registry formats but does not count: it reads `name`, `type` and `get()` of what it
 * holds (prom-client lib/registry.js), and its types ask for a whole Metric class instead.
 */
function register(registry: Registry, name: string, help: string, type: 'counter' | 'histogram', values: () => CellValue[]): void {
  const read = { name, help, type, aggregator: 'sum' as const };
  registry.registerMetric({ ...read, get: async () => ({ ...read, values: values() }), reset() {} } as unknown as Metric);
}

/** The series read when scraped: nothing on the request path pays for them. */
function gauges(registry: Registry, sources: () => ScrapeSources | null): void {
  new Gauge({
    name: 'gateway_open_connections', help: 'Client connections open now, by listener (open WebSockets included).', labelNames: ['listener'], registers: [registry], aggregator: 'sum',
    async collect() {
      const s = sources();
      if (s === null) return;
      for (const [listener, n] of Object.entries(await s.connections())) this.set({ listener }, n);
    },
  });
  // Per target: bounded by the config (upstream names, target positions). Summed over workers:
  // each worker has pools of its own.
  new Gauge({
    name: 'gateway_upstream_connections', help: 'Connections to each upstream target open now (busy or kept alive); target: its position in the upstream\'s targets.', labelNames: ['upstream', 'target'], registers: [registry], aggregator: 'sum',
    collect() {
      const s = sources();
      if (s === null) return;
      this.reset();
      for (const p of s.pools()) this.set({ upstream: p.upstream, target: p.target }, p.connected);
    },
  });
  new Gauge({
    name: 'gateway_upstream_connection_limit', help: 'The most connections a target\'s pool opens (the upstream\'s connections setting), per process.', labelNames: ['upstream', 'target'], registers: [registry], aggregator: 'sum',
    collect() {
      const s = sources();
      if (s === null) return;
      this.reset();
      for (const p of s.pools()) this.set({ upstream: p.upstream, target: p.target }, p.limit);
    },
  });
  new Gauge({
    name: 'gateway_upstream_requests', help: 'Requests to each upstream target now: running on a connection (one each: no pipelining), or queued for one.', labelNames: ['upstream', 'target', 'state'], registers: [registry], aggregator: 'sum',
    collect() {
      const s = sources();
      if (s === null) return;
      this.reset();
      for (const p of s.pools()) {
        this.set({ upstream: p.upstream, target: p.target, state: 'running' }, p.running);
        this.set({ upstream: p.upstream, target: p.target, state: 'queued' }, p.queued);
      }
    },
  });
  new Gauge({
    // Under workers the lowest: down when any worker could not reach it.
    name: 'gateway_store_up', help: 'Whether the store answered a ping at this scrape (1) or not (0).', labelNames: ['store'], registers: [registry], aggregator: 'min',
    async collect() {
      const s = sources();
      if (s === null) return;
      this.reset();
      this.set({ store: s.storeKind }, await s.storePing().then(() => 1, () => 0));
    },
  });
  let parsed: { pem: string; notAfter: number } | null = null;
  new Gauge({
    // Under workers the earliest: a worker still serving the old certificate is what expires first.
    name: 'gateway_certificate_expiry_timestamp_seconds', help: 'When the certificate the gateway serves now expires (its notAfter), in Unix seconds.', registers: [registry], aggregator: 'min',
    collect() {
      const s = sources();
      if (s === null) return;
      const pem = s.certificate();
      // Parsed again only when the certificate changed (a renewal, a new file pair).
      if (parsed?.pem !== pem) parsed = { pem, notAfter: Date.parse(new X509Certificate(pem).validTo) / 1000 };
      this.set(parsed.notAfter);
    },
  });
}

function methodSlot(method: string): number {
  switch (method) {
    case 'GET': return 0;
    case 'HEAD': return 1;
    case 'POST': return 2;
    case 'PUT': return 3;
    case 'PATCH': return 4;
    case 'DELETE': return 5;
    case 'OPTIONS': return 6;
    default: return 7;
  }
}

function statusClass(status: number): number {
  return status >= 100 && status < 600 ? (status / 100) | 0 : 0;
}

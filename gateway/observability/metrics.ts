import { X509Certificate } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ERROR_TABLE } from '../errors.js';
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
}

/** An upstream pool's use: its connections, its requests, and the most connections it opens. */
export interface PoolUse {
  readonly connected: number;
  readonly queued: number;
  readonly running: number;
  readonly limit: number;
}

export type CacheOutcome = 'hits' | 'misses' | 'stale' | 'bypass';
export interface Increment { inc(): void }

export interface ScrapeSources {
  /** Open connections per listener (`server.getConnections`), upgraded WebSockets included. */
  connections(): Promise<Readonly<Record<string, number>>>;
  /** The backend pool's numbers now (upstream/upstream-client.ts). */
  pool(): PoolUse;
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
  /** Children by method slot × status class, bound on first use. */
  readonly counts: (Increment | undefined)[];
  readonly route: string;
  readonly duration: { observe(value: number): void };
  readonly upstream: { observe(value: number): void };
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const requests = new Counter({ name: 'gateway_requests_total', help: 'Requests and WebSocket handshakes answered, by route, method and status class ("none": no answer was sent).', labelNames: ['route', 'method', 'status_class'], registers: [registry] });
  const duration = new Histogram({ name: 'gateway_request_duration_seconds', help: 'Time from the request\'s arrival to the end of its response, by route (WebSocket handshakes excluded).', labelNames: ['route'], buckets: SECONDS, registers: [registry] });
  const upstream = new Histogram({ name: 'gateway_upstream_duration_seconds', help: 'Time the backend took to answer a request the gateway forwarded, by route.', labelNames: ['route'], buckets: SECONDS, registers: [registry] });
  const cache = new Counter({ name: 'gateway_cache_requests_total', help: 'Requests on cached routes by outcome (hit, miss, stale, bypass).', labelNames: ['route', 'outcome'], registers: [registry] });
  const limited = new Counter({ name: 'gateway_rate_limited_total', help: 'Requests refused with 429 by a rate-limit policy ("unauthenticated": the per-address budget).', labelNames: ['policy'], registers: [registry] });
  const authFailures = new Counter({ name: 'gateway_auth_failures_total', help: 'Requests refused by authentication or authorization, by error code.', labelNames: ['reason'], registers: [registry] });
  const upstreamErrors = new Counter({ name: 'gateway_upstream_errors_total', help: 'Backend failures answered or cut short, by error code.', labelNames: ['kind'], registers: [registry] });
  const reloads = new Counter({ name: 'gateway_reloads_total', help: 'Config reloads (SIGHUP or POST /admin/reload) by result.', labelNames: ['result'], registers: [registry] });
  const lastReload = new Gauge({ name: 'gateway_config_last_reload_successful', help: 'Whether the last reload was applied (1) or rejected (0); 1 before any.', registers: [registry] });
  lastReload.set(1);

  // Every code of the two families, at zero from the start: a rate over a series that appears
  // only with its first failure misses that failure.
  const reasons = new Map<string, Increment>();
  for (const code of Object.keys(ERROR_TABLE)) {
    if (code.startsWith('auth.')) reasons.set(code, zeroed(authFailures, code));
    else if (code.startsWith('upstream.')) reasons.set(code, zeroed(upstreamErrors, code));
  }
  for (const result of ['success', 'failure']) zeroed(reloads, result);

  const routes = new Map<string, RouteSeries>();
  const bind = (route: string): RouteSeries => {
    let series = routes.get(route);
    if (series === undefined) {
      series = { counts: new Array<Increment | undefined>(METHODS.length * CLASSES.length), route, duration: duration.labels(route), upstream: upstream.labels(route) };
      routes.set(route, series);
      duration.zero({ route });
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
      const slot = methodSlot(ctx.req.method!) * CLASSES.length + statusClass(status);
      let count = series.counts[slot];
      if (count === undefined) count = series.counts[slot] = requests.labels(series.route, METHODS[methodSlot(ctx.req.method!)]!, CLASSES[statusClass(status)]!);
      count.inc();
      // A handshake's line covers the whole WebSocket's life: no latency for it.
      if (res !== null) series.duration.observe((performance.now() - ctx.startedAt) / 1000);
      if (ctx.upstreamMs !== undefined) series.upstream.observe(ctx.upstreamMs / 1000);
      if (ctx.reason !== undefined) reasons.get(ctx.reason)?.inc();
    },
    cacheOutcomes: (routeId) => ({
      hits: zeroed(cache, routeId, OUTCOME_LABEL.hits),
      misses: zeroed(cache, routeId, OUTCOME_LABEL.misses),
      stale: zeroed(cache, routeId, OUTCOME_LABEL.stale),
      bypass: zeroed(cache, routeId, OUTCOME_LABEL.bypass),
    }),
    rateLimited: (policy) => zeroed(limited, policy),
    reloaded(ok) {
      reloads.labels(ok ? 'success' : 'failure').inc();
      lastReload.set(ok ? 1 : 0);
    },
    watch(s) {
      sources = s;
    },
  };
}

/** The series read when scraped: nothing on the request path pays for them. */
function gauges(registry: Registry, sources: () => ScrapeSources | null): void {
  new Gauge({
    name: 'gateway_open_connections', help: 'Client connections open now, by listener (open WebSockets included).', labelNames: ['listener'], registers: [registry],
    async collect() {
      const s = sources();
      if (s === null) return;
      for (const [listener, n] of Object.entries(await s.connections())) this.set({ listener }, n);
    },
  });
  // One upstream today, labelled so that named upstreams add series rather than change these.
  new Gauge({
    name: 'gateway_upstream_connections', help: 'Connections to the backend open now (busy or kept alive).', labelNames: ['upstream'], registers: [registry],
    collect() {
      const s = sources();
      if (s !== null) this.set({ upstream: 'default' }, s.pool().connected);
    },
  });
  new Gauge({
    name: 'gateway_upstream_connection_limit', help: 'The most connections the backend pool opens (upstream.connections).', labelNames: ['upstream'], registers: [registry],
    collect() {
      const s = sources();
      if (s !== null) this.set({ upstream: 'default' }, s.pool().limit);
    },
  });
  new Gauge({
    name: 'gateway_upstream_requests', help: 'Requests to the backend now: running on a connection (one each: no pipelining), or queued for one.', labelNames: ['upstream', 'state'], registers: [registry],
    collect() {
      const s = sources();
      if (s === null) return;
      const p = s.pool();
      this.set({ upstream: 'default', state: 'running' }, p.running);
      this.set({ upstream: 'default', state: 'queued' }, p.queued);
    },
  });
  new Gauge({
    name: 'gateway_store_up', help: 'Whether the store answered a ping at this scrape (1) or not (0).', labelNames: ['store'], registers: [registry],
    async collect() {
      const s = sources();
      if (s === null) return;
      this.reset();
      this.set({ store: s.storeKind }, await s.storePing().then(() => 1, () => 0));
    },
  });
  let parsed: { pem: string; notAfter: number } | null = null;
  new Gauge({
    name: 'gateway_certificate_expiry_timestamp_seconds', help: 'When the certificate the gateway serves now expires (its notAfter), in Unix seconds.', registers: [registry],
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

/** A counter's child, bound and shown at 0 until its first event (labels() alone shows nothing). */
function zeroed(counter: Counter, ...labels: string[]): Increment {
  const child = counter.labels(...labels);
  child.inc(0);
  return child;
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

import { Pool } from 'undici';
import type { UpstreamConfig } from '../config/schema/upstream.js';
import type { PoolUse } from '../observability/metrics.js';
import { TargetHealth, type TargetState } from './target-health.js';
import { createWebSocketProxy, type WebSocketProxy } from './websocket-proxy.js';

/** One backend address of an upstream: its keep-alive pool and its WebSocket proxy. */
export interface UpstreamTarget {
  readonly origin: string;
  readonly pool: Pool;
  readonly ws: WebSocketProxy;
}

/** A target taken for one request; `done` once, with whether it failed (health/passive). */
export interface TargetLease {
  readonly target: UpstreamTarget;
  done(failed: boolean): void;
}

/** For /readyz: targets by position in the config, never by address (the probe is public). */
export interface UpstreamStatus {
  readonly ready: boolean;
  readonly targets: readonly { readonly target: number; readonly state: TargetState | 'not_answering'; readonly inFlight: number }[];
}

/** The one owner of undici: one upstream, a keep-alive pool per target, balanced and health-checked. */
export interface UpstreamClient {
  readonly name: string;
  readonly config: UpstreamConfig;
  /** host[:port] of the first target, for the Host header when the client's is not preserved. */
  readonly host: string;
  readonly targets: readonly UpstreamTarget[];
  /**
   * A target for one request, balanced over those not ejected or down and other than `except`
   * (a retry goes elsewhere); null when there is none.
   */
  acquire(except?: UpstreamTarget): TargetLease | null;
  /** Readiness: the targets' states; without active checks, the available ones are asked once. */
  status(timeoutMs: number): Promise<UpstreamStatus>;
  /** Each target's pool now (connections, requests), in `targets` order, for the metrics scrape. */
  use(): PoolUse[];
  close(): Promise<void>;
}

interface Slot {
  readonly target: UpstreamTarget;
  readonly health: TargetHealth;
  inFlight: number;
  checking: boolean;
}

export function createUpstreamClient(config: UpstreamConfig, clock: () => number = Date.now): UpstreamClient {
  const slots: Slot[] = config.targets.map((origin) => ({
    target: { origin, pool: makePool(origin, config), ws: createWebSocketProxy(origin) },
    health: new TargetHealth(config.passive, config.healthCheck),
    inFlight: 0,
    checking: false,
  }));
  let next = 0;

  const pick = (except: UpstreamTarget | undefined): Slot | null => {
    const now = clock();
    let best: Slot | null = null;
    // Round-robin from a moving start; least-busy takes the fewest in flight, ties in that order.
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[(next + i) % slots.length]!;
      if (slot.target === except || !slot.health.available(now)) continue;
      if (best === null || (config.balance === 'least-busy' && slot.inFlight < best.inFlight)) best = slot;
      if (config.balance === 'round-robin') break;
    }
    if (best !== null) next = (slots.indexOf(best) + 1) % slots.length;
    return best;
  };

  const lease = (slot: Slot): TargetLease => {
    slot.inFlight += 1;
    let settled = false;
    return {
      target: slot.target,
      done(failed) {
        if (settled) return;
        settled = true;
        slot.inFlight -= 1;
        slot.health.recordRequest(failed, clock());
      },
    };
  };

  /** The status a GET of `path` gets, 0 when none within `timeoutMs`. */
  const ask = async (slot: Slot, path: string, timeoutMs: number): Promise<number> => {
    try {
      const res = await slot.target.pool.request({ path, method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
      await res.body.dump();
      return res.statusCode;
    } catch {
      return 0;
    }
  };

  const check = config.healthCheck;
  const timers = check === null ? [] : slots.map((slot) => {
    const timer = setInterval(() => {
      if (slot.checking) return;
      slot.checking = true;
      void ask(slot, check.path, check.timeout).then((status) => {
        slot.checking = false;
        // A 5xx is a target that runs but cannot serve (RFC 9110 15.6).
        slot.health.recordCheck(status >= 200 && status < 500, clock());
      });
    }, check.interval);
    timer.unref();
    return timer;
  });

  return {
    name: config.name,
    config,
    host: new URL(config.targets[0]!).host,
    targets: slots.map((s) => s.target),
    acquire(except) {
      const slot = pick(except);
      return slot === null ? null : lease(slot);
    },
    use() {
      return slots.map((s) => {
        const st = s.target.pool.stats;
        return { connected: st.connected, queued: st.queued, running: st.running, limit: config.connections };
      });
    },
    async status(timeoutMs) {
      const now = clock();
      const targets = await Promise.all(slots.map(async (slot, i) => {
        let state: TargetState | 'not_answering' = slot.health.state(now);
        // With active checks the state already says whether it answers; else ask it now.
        // Any status is an answer, as /readyz always counted it.
        if (state === 'up' && check === null && (await ask(slot, config.healthPath, timeoutMs)) === 0) state = 'not_answering';
        return { target: i, state, inFlight: slot.inFlight };
      }));
      return { ready: targets.some((t) => t.state === 'up'), targets };
    },
    async close() {
      for (const t of timers) clearInterval(t);
      for (const s of slots) s.target.ws.close();
      await Promise.all(slots.map((s) => s.target.pool.close()));
    },
  };
}

function makePool(origin: string, upstream: UpstreamConfig): Pool {
  return new Pool(origin, {
    connections: upstream.connections,
    connect: { timeout: upstream.connectTimeout },
    headersTimeout: upstream.headersTimeout,
    bodyTimeout: upstream.bodyTimeout,
    keepAliveTimeout: upstream.keepAliveTimeout,
    // Never hold an idle socket longer than configured, whatever the backend's Keep-Alive hint says.
    keepAliveMaxTimeout: upstream.keepAliveTimeout,
    // Pipelining would let one slow response hold up others and complicates the retry rule.
    pipelining: 1,
  });
}

/** Every upstream by name, as the runtime's `upstream` part holds them. */
export type UpstreamSet = ReadonlyMap<string, UpstreamClient>;

export function createUpstreamSet(upstreams: Readonly<Record<string, UpstreamConfig>>): UpstreamSet {
  return new Map(Object.entries(upstreams).map(([name, u]) => [name, createUpstreamClient(u)]));
}

export async function closeUpstreamSet(set: UpstreamSet): Promise<void> {
  await Promise.all([...set.values()].map((c) => c.close()));
}

/** The client of a backend route's upstream; the config check guarantees it exists. */
export function upstreamOfRoute(set: UpstreamSet, route: { readonly id: string; readonly upstream: string | null }): UpstreamClient {
  const client = route.upstream === null ? undefined : set.get(route.upstream);
  if (client === undefined) throw new Error(`route ${route.id} has no upstream "${route.upstream}" (a wiring bug)`);
  return client;
}

/** /readyz's view: each upstream's targets; ready when every upstream has one that answers. */
export async function upstreamsStatus(set: UpstreamSet, timeoutMs: number): Promise<{ ready: boolean; upstreams: Record<string, UpstreamStatus> }> {
  const entries = await Promise.all([...set].map(async ([name, c]) => [name, await c.status(timeoutMs)] as const));
  return { ready: entries.every(([, s]) => s.ready), upstreams: Object.fromEntries(entries) };
}

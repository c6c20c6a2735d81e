import { Pool } from 'undici';
import type { GatewayConfig } from '../config/compile-config.js';
import type { PoolUse } from '../observability/metrics.js';

/** The one owner of undici: a keep-alive pool to the backend origin. */
export interface UpstreamClient {
  readonly pool: Pool;
  readonly origin: string;
  /** host[:port] of the backend, for the Host header when the client's is not preserved. */
  readonly host: string;
  /** Whether the backend answers at all (any HTTP status), within `timeoutMs`. */
  reachable(path: string, timeoutMs: number): Promise<boolean>;
  /** The pool's connections and requests now, for the metrics scrape. */
  use(): PoolUse;
  close(): Promise<void>;
}

export function createUpstreamClient(upstream: GatewayConfig['upstream']): UpstreamClient {
  const url = new URL(upstream.url);
  const pool = new Pool(url.origin, {
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
  return {
    pool,
    origin: url.origin,
    host: url.host,
    async reachable(path, timeoutMs) {
      try {
        const res = await pool.request({ path, method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
        await res.body.dump();
        return true;
      } catch {
        return false;
      }
    },
    use() {
      const { connected, queued, running } = pool.stats;
      return { connected, queued, running, limit: upstream.connections };
    },
    async close() {
      await pool.close();
    },
  };
}

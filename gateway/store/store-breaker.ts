import type { Logger } from '../observability/logger.js';
import { StoreUnavailableError } from './store.js';

/**
 * A circuit breaker for a store that is connected but not answering (a stalled or overloaded
 * Redis): without it every operation waits its full commandTimeout before the caller's failure
 * stance applies, on every request. One command that got no answer opens it; while open every
 * operation fails at once with StoreUnavailableError. After `openMs` one PING probes (half-open):
 * an answer closes it, no answer keeps it open for another `openMs`. docs/adr/0004.
 */
export interface StoreBreaker {
  /** Read on the request path: a field, not a call. */
  readonly open: boolean;
  /** Fails at once while open; otherwise runs `op` and reports a failure it ends in. */
  guard<T>(op: () => Promise<T>): Promise<T>;
  /** A lost connection fails fast by itself and is logged as lost: the breaker steps aside, silently. */
  reset(): void;
  close(): void;
}

export interface StoreBreakerOptions {
  /** true for a failure that means no answer came, as opposed to an error the store replied with. */
  notAnswering(err: unknown): boolean;
  /** One cheap round trip; resolves when the store answers. */
  probe(): Promise<unknown>;
  openMs: number;
  logger?: Pick<Logger, 'warn' | 'info'>;
}

export function createStoreBreaker(o: StoreBreakerOptions): StoreBreaker {
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const openError = new StoreUnavailableError(new Error('store not answering (breaker open)'));

  const probeLater = () => {
    timer = setTimeout(() => {
      timer = undefined;
      o.probe().then(() => {
        if (!breaker.open) return;
        breaker.open = false;
        o.logger?.info({ kind: 'store' }, 'store answering again');
      }, () => {
        if (breaker.open && !closed) probeLater();
      });
    }, o.openMs);
    timer.unref();
  };
  const failed = (err: unknown) => {
    if (breaker.open || closed || !o.notAnswering(err)) return;
    breaker.open = true;
    o.logger?.warn({ kind: 'store' }, 'store not answering; revocation fails closed, limits use per-instance memory');
    probeLater();
  };
  const stopProbing = () => {
    clearTimeout(timer);
    timer = undefined;
  };

  const breaker = {
    open: false,
    guard<T>(op: () => Promise<T>): Promise<T> {
      if (breaker.open) return Promise.reject(openError);
      return op().catch((err: unknown) => {
        failed(err);
        throw err;
      });
    },
    reset() {
      stopProbing();
      breaker.open = false;
    },
    close() {
      closed = true;
      stopProbing();
    },
  };
  return breaker;
}

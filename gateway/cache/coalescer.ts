/**
 * Concurrent misses for one key in this process: the first runs the fill, the rest wait for its
 * result (bounded: after `waitMs` a waiter goes on by itself). Across instances the stage adds a
 * short store lock on top (pipeline/cache-stage.ts).
 */
export class Coalescer<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  /** The fill in flight for `key`, if any. */
  pending(key: string): Promise<T> | undefined {
    return this.inflight.get(key);
  }

  /** Runs `fill` as the one fill of `key`; others calling `pending(key)` meanwhile get its result. */
  run(key: string, fill: () => Promise<T>): Promise<T> {
    const p = fill().finally(() => {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    });
    this.inflight.set(key, p);
    return p;
  }

  get size(): number {
    return this.inflight.size;
  }
}

/** `p`'s value, or `timedOut` after `ms`; the timer never holds the process open. */
export function within<T, U>(p: Promise<T>, ms: number, timedOut: U): Promise<T | U> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(timedOut), ms);
    timer.unref();
    p.then((v) => {
      clearTimeout(timer);
      resolve(v);
    }, (err: unknown) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

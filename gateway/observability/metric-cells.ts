/**
 * The numbers behind the request-path metrics, as plain cells a request bumps without hashing
 * labels or allocating: a prom-client child does both on every call (about 200 ns each for a
 * counter and a histogram, measured; three per request). metrics.ts hands the cells' values to
 * prom-client, which writes the exposition, only when /metrics is scraped.
 */
export interface CellValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  /** For a histogram's `_bucket`, `_sum` and `_count` lines. */
  readonly metricName?: string;
}

export class CounterCell {
  value = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}
  inc(): void {
    this.value++;
  }
}

/**
 * One counter's label sets, each listed (at 0 too) from its first binding on. Binding the same
 * labels again (a policy's limiter rebuilt by a reload) gives the same cell: one series, counting on.
 */
export class CounterCells {
  private readonly cells = new Map<string, CounterCell>();

  bind(labels: Readonly<Record<string, string>>): CounterCell {
    const key = keyOf(labels);
    let cell = this.cells.get(key);
    if (cell === undefined) this.cells.set(key, (cell = new CounterCell(labels)));
    return cell;
  }

  values(): CellValue[] {
    return [...this.cells.values()].map((c) => ({ labels: c.labels, value: c.value }));
  }
}

export class HistogramCell {
  /** Per bucket, not cumulative: an observation counts once, in the first bucket it fits. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly labels: Readonly<Record<string, string>>, private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    // Above the last bound: only in +Inf, which is the count.
    if (i < bounds.length) this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/** One histogram's label sets; exported as Prometheus wants it: cumulative `le` buckets, +Inf, sum, count. */
export class HistogramCells {
  private readonly cells = new Map<string, HistogramCell>();
  constructor(private readonly name: string, readonly bounds: readonly number[]) {}

  bind(labels: Readonly<Record<string, string>>): HistogramCell {
    const key = keyOf(labels);
    let cell = this.cells.get(key);
    if (cell === undefined) this.cells.set(key, (cell = new HistogramCell(labels, this.bounds)));
    return cell;
  }

  values(): CellValue[] {
    const out: CellValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const c of this.cells.values()) {
      let below = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        below += c.counts[i]!;
        out.push({ labels: { ...c.labels, le: this.bounds[i]! }, value: below, metricName: bucket });
      }
      out.push(
        { labels: { ...c.labels, le: '+Inf' }, value: c.count, metricName: bucket },
        { labels: c.labels, value: c.sum, metricName: `${this.name}_sum` },
        { labels: c.labels, value: c.count, metricName: `${this.name}_count` },
      );
    }
    return out;
  }
}

/** Label names and values in the order given (callers always give them in one order). */
function keyOf(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join('\u0000');
}

/**
 * Response times of the legacy backend, from a seeded generator so runs repeat. Each endpoint
 * draws from a log-normal distribution fitted to its median and p99 (from the seed report:
 * dashboard trading p50 ~400 ms / p99 ~5 s, risk p99 ~110 ms, overview p50 ~300 ms).
 */
export type Profile = 'slow' | 'fast';

interface Shape {
  p50: number;
  p99: number;
}

const SLOW: Record<string, Shape> = {
  '/api/dashboard/trading': { p50: 400, p99: 5000 },
  '/api/dashboard/risk': { p50: 40, p99: 110 },
  '/api/dashboard/overview': { p50: 300, p99: 1200 },
  '/api/portfolio': { p50: 60, p99: 250 },
  '/api/market/prices': { p50: 25, p99: 90 },
  '/api/trading/orders': { p50: 80, p99: 400 },
};

const Z99 = 2.326; // standard normal quantile at 0.99

/** mulberry32: tiny, fast, good enough for latency noise; not for anything secret. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createLatencyModel(profile: Profile, seed: number): (path: string) => number {
  if (profile === 'fast') return () => 0;
  const random = seededRandom(seed);
  const normal = () => {
    // Box-Muller
    const u = Math.max(random(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  return (path) => {
    const shape = SLOW[path];
    if (!shape) return 0;
    const sigma = Math.log(shape.p99 / shape.p50) / Z99;
    return Math.round(shape.p50 * Math.exp(sigma * normal()));
  };
}

import { readFileSync } from 'node:fs';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
}

/**
 * The functions that spent the most CPU themselves (self time, by share of samples), as lines to
 * print: enough to see where a change should go before opening the file in Chrome DevTools.
 */
export function topSelfTime(file: string, count = 15): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frameOf = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const hits = new Map<string, number>();
  for (const id of profile.samples) {
    const f = frameOf.get(id);
    const where = f?.url ? `${f.url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : '';
    const key = `${f?.functionName || '(anonymous)'} ${where}`.trim();
    hits.set(key, (hits.get(key) ?? 0) + 1);
  }
  return [...hits.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, n]) => `${((100 * n) / profile.samples.length).toFixed(1).padStart(5)}%  ${key}`);
}

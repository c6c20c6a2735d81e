import { MOCK_BIN } from './paths.js';
import { spawnService, type Service } from './spawn-service.js';

export interface MockHandle {
  readonly service: Service;
  readonly port: number;
  readonly url: string;
  counters(): Promise<Record<string, number>>;
  count(key: string): Promise<number>;
  last(path: string): Promise<{ method: string; path: string; rawHeaders: string[]; bodyBytes: number } | null>;
  arm(fault: { kind: string; path: string; method?: string; status?: number; ms?: number; bytes?: number; times?: number }): Promise<void>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMock(options: { profile?: 'fast' | 'slow'; tickMs?: number } = {}): Promise<MockHandle> {
  const service = spawnService(process.execPath, [MOCK_BIN, '--port', '0', '--profile', options.profile ?? 'fast', '--tick-ms', String(options.tickMs ?? 100)]);
  const line = await service.waitForLine((l) => l.includes('"listening"'));
  const port = (JSON.parse(line) as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  const get = async (path: string) => (await fetch(url + path)).json();
  return {
    service,
    port,
    url,
    counters: () => get('/__mock/counters') as Promise<Record<string, number>>,
    async count(key) {
      return ((await get('/__mock/counters')) as Record<string, number>)[key] ?? 0;
    },
    async last(path) {
      const res = await fetch(`${url}/__mock/last?path=${encodeURIComponent(path)}`);
      return res.status === 200 ? (await res.json()) as { method: string; path: string; rawHeaders: string[]; bodyBytes: number } : null;
    },
    async arm(fault) {
      const res = await fetch(`${url}/__mock/faults`, { method: 'POST', body: JSON.stringify(fault) });
      if (res.status !== 201) throw new Error(`mock refused fault: ${await res.text()}`);
    },
    async reset() {
      await fetch(`${url}/__mock/reset`, { method: 'POST' });
    },
    async stop() {
      await service.stop();
    },
  };
}

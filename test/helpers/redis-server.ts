import { execFileSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './free-port.js';
import { spawnService, type Service } from './spawn-service.js';

export interface RedisHandle {
  readonly port: number;
  readonly url: string;
  readonly service: Service;
  stop(): Promise<void>;
}

/** A throwaway redis-server on a free port: no persistence, stopped by PID. */
export async function startRedis(port?: number): Promise<RedisHandle> {
  const chosen = port ?? await freePort();
  const service = spawnService(redisServerPath(), ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no']);
  await waitForPing(chosen, 10_000);
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    service,
    async stop() {
      await service.stop();
    },
  };
}

function redisServerPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('redis-server is not installed: run the README test command (it installs it), or apt-get install redis-server');
  }
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' }, () => s.write('PING\r\n'));
      s.once('data', (d) => { s.destroy(); resolve(d.toString().startsWith('+PONG')); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on ${port}`);
}

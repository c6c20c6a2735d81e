import { execFileSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './free-port.js';
import { spawnService, type Service } from './spawn-service.js';

export interface RedisHandle {
  readonly port: number;
  readonly url: string;
  readonly service: Service;
  /** SIGSTOP: connected but not answering, as a stalled or swapped-out Redis. */
  pause(): void;
  /** SIGCONT: it answers again, the commands sent meanwhile first. */
  resume(): void;
  /** Calls per command name since start (INFO commandstats), e.g. { evalsha: 3, ping: 1 }. */
  commandCalls(): Promise<Record<string, number>>;
  /** CONFIG SET name value (maxmemory, for instance). */
  configSet(name: string, value: string): Promise<void>;
  /** INFO memory's used_memory, in bytes. */
  usedMemory(): Promise<number>;
  /** Every key and its value as redis-cli prints them (for tests that look for what must not be stored). */
  dump(): string;
  /** DBSIZE. */
  keyCount(): number;
  stop(): Promise<void>;
}

/**
 * A throwaway redis-server on a free port: no persistence, stopped by PID. With `password` it
 * requires AUTH and `url` carries the password (the inline helpers below do not authenticate).
 */
export async function startRedis(port?: number, options: { password?: string } = {}): Promise<RedisHandle> {
  const chosen = port ?? await freePort();
  const auth = options.password === undefined ? [] : ['--requirepass', options.password];
  const service = spawnService(redisServerPath(), ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', ...auth]);
  await waitForPing(chosen, 10_000);
  return {
    port: chosen,
    url: options.password === undefined ? `redis://127.0.0.1:${chosen}` : `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${chosen}`,
    service,
    pause: () => { process.kill(service.pid, 'SIGSTOP'); },
    resume: () => { process.kill(service.pid, 'SIGCONT'); },
    async commandCalls() {
      const info = await command(chosen, 'INFO commandstats');
      return Object.fromEntries([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
    },
    async configSet(name, value) {
      const reply = await simpleCommand(chosen, `CONFIG SET ${name} ${value}`);
      if (!reply.startsWith('+OK')) throw new Error(`CONFIG SET ${name}: ${reply.trim()}`);
    },
    dump() {
      const keys = execFileSync('redis-cli', ['-p', String(chosen), '--scan'], { encoding: 'utf8' }).split('\n').filter(Boolean);
      return keys.map((k) => `${k} ${execFileSync('redis-cli', ['-p', String(chosen), '--raw', 'GET', k], { encoding: 'latin1' })}`).join('\n');
    },
    keyCount() {
      return Number(execFileSync('redis-cli', ['-p', String(chosen), 'DBSIZE'], { encoding: 'utf8' }).trim());
    },
    async usedMemory() {
      return Number(/^used_memory:(\d+)/m.exec(await command(chosen, 'INFO memory'))?.[1]);
    },
    async stop() {
      // A paused server would not act on the SIGTERM until continued.
      if (service.child.exitCode === null && service.child.signalCode === null) process.kill(service.pid, 'SIGCONT');
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

/** One inline command over a fresh connection; resolves with the whole reply once it stops growing. */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => s.write(`${line}\r\n`));
    let reply = '';
    s.on('data', (d) => {
      reply += d.toString();
      // A bulk reply: $<length>\r\n<body>\r\n
      const m = /^\$(\d+)\r\n/.exec(reply);
      if (m && Buffer.byteLength(reply) >= m[0].length + Number(m[1]) + 2) {
        s.destroy();
        resolve(reply.slice(m[0].length));
      }
    });
    s.once('error', reject);
  });
}

/** One inline command whose reply is a status line (+OK, -ERR ...). */
function simpleCommand(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => s.write(`${line}\r\n`));
    let reply = '';
    s.on('data', (d) => {
      reply += d.toString();
      if (reply.endsWith('\r\n')) {
        s.destroy();
        resolve(reply);
      }
    });
    s.once('error', reject);
  });
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' }, () => s.write('PING\r\n'));
      // NOAUTH: up, and asking for the password it was started with.
      s.once('data', (d) => { s.destroy(); resolve(d.toString().startsWith('+PONG') || d.toString().startsWith('-NOAUTH')); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on ${port}`);
}

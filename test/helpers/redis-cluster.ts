import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isPortFree } from './free-port.js';
import { spawnService, type Service } from './spawn-service.js';
import { removeTempDir, tempDir } from './temp-dir.js';
import { waitUntil } from './wait-until.js';

const run = promisify(execFile);

/** One redis-cli command against a loopback port; its stdout, trimmed. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  return redisCliAuth(undefined, port, ...args);
}

/** redis-cli with a password (REDISCLI_AUTH: not on the command line, and no warning printed). */
export async function redisCliAuth(password: string | undefined, port: number, ...args: string[]): Promise<string> {
  const env = password === undefined ? process.env : { ...process.env, REDISCLI_AUTH: password };
  return (await run('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', env })).stdout.trim();
}

export interface ClusterNode {
  readonly port: number;
  service: Service;
}

export interface RedisClusterHandle {
  readonly nodes: readonly ClusterNode[];
  /** The `store:` section a gateway needs to reach this cluster (every node as a seed). */
  storeSection(): string;
  /** Calls per command name since start, summed over every node (INFO commandstats). */
  commandCalls(): Promise<Record<string, number>>;
  /** Keys on every node together (DBSIZE summed). */
  keyCount(): Promise<number>;
  /** The keys of one node (SCAN), to see that several masters hold the state. */
  keysOn(node: ClusterNode): Promise<string[]>;
  /** SIGTERM to one node: its slots have no master until it is back. */
  stopNode(node: ClusterNode): Promise<void>;
  /** The same node again, on its port, with its nodes file: it rejoins with its slots (and no keys). */
  restartNode(node: ClusterNode): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real three-master Redis Cluster on loopback, no replicas, no persistence: `redis-server
 * --cluster-enabled yes` thrice, then `redis-cli --cluster create`. Each node also listens on its
 * cluster bus port, P + 10000, so both must be free. With `password` every node requires it
 * (and `storeSection` gives it). Stopped by PID, its folder removed.
 */
export async function startRedisCluster(options: { password?: string } = {}): Promise<RedisClusterHandle> {
  const dir = tempDir('gw-cluster-');
  const ports = await clusterPorts(3);
  const { password } = options;
  const redisCli = (port: number, ...args: string[]) => redisCliAuth(password, port, ...args);
  const auth = password === undefined ? [] : ['--requirepass', password, '--masterauth', password];
  const spawnNode = (port: number) => spawnService('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', ...auth,
    '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`),
    // A stopped master is marked failing after 2 s (default 15 s), so the outage test sees CLUSTERDOWN soon.
    '--cluster-node-timeout', '2000',
  ], { cwd: dir });
  const nodes: ClusterNode[] = ports.map((port) => ({ port, service: spawnNode(port) }));
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.service.stop()));
    removeTempDir(dir);
  };
  try {
    for (const n of nodes) await waitUntil(async () => (await redisCli(n.port, 'PING').catch(() => '')) === 'PONG', `cluster node ${n.port} to answer`, 10_000);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { env: password === undefined ? process.env : { ...process.env, REDISCLI_AUTH: password } });
    await waitForClusterOk(ports, password);
  } catch (err) {
    await stop();
    throw err;
  }

  const sumOver = async <T>(each: (port: number) => Promise<T>) => Promise.all(nodes.map((n) => each(n.port)));
  return {
    nodes,
    storeSection: () => `store:\n  redis:\n    cluster: [${ports.map((p) => `{ host: 127.0.0.1, port: ${p} }`).join(', ')}]\n${password === undefined ? '' : `    password: "${password}"\n`}`,
    async commandCalls() {
      const out: Record<string, number> = {};
      for (const info of await sumOver((p) => redisCli(p, 'INFO', 'commandstats'))) {
        for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
      }
      return out;
    },
    async keyCount() {
      return (await sumOver((p) => redisCli(p, 'DBSIZE'))).reduce((s, n) => s + Number(n), 0);
    },
    async keysOn(node) {
      return (await redisCli(node.port, '--scan')).split('\n').filter(Boolean);
    },
    async stopNode(node) {
      await node.service.stop();
    },
    async restartNode(node) {
      node.service = spawnNode(node.port);
      await waitForClusterOk(ports, password);
    },
    stop,
  };
}

/** CLUSTER INFO says cluster_state:ok on every node: each has learnt the slot map. */
async function waitForClusterOk(ports: readonly number[], password: string | undefined): Promise<void> {
  for (const p of ports) {
    await waitUntil(async () => /cluster_state:ok/.test(await redisCliAuth(password, p, 'CLUSTER', 'INFO').catch(() => '')), `cluster_state:ok on ${p}`, 20_000);
  }
}

/** Ports P whose cluster bus port P + 10000 is free too (and below 65536). */
async function clusterPorts(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = 20_000 + Math.floor(Math.random() * 20_000);
    if (out.includes(p) || out.includes(p + 10_000) || out.some((q) => q + 10_000 === p)) continue;
    if (await isPortFree(p) && await isPortFree(p + 10_000)) out.push(p);
  }
  return out;
}

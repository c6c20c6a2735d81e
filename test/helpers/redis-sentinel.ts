import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { redisCliAuth } from './redis-cluster.js';
import { spawnService, type Service } from './spawn-service.js';
import { removeTempDir, tempDir } from './temp-dir.js';
import { waitUntil } from './wait-until.js';

export const SENTINEL_NAME = 'gwprimary';

export interface RedisSentinelHandle {
  /** The two data nodes; which one is the primary changes with a failover. */
  readonly ports: readonly number[];
  readonly sentinelPort: number;
  /** The `store:` section a gateway needs to find the primary through the sentinel. */
  storeSection(): string;
  /** The primary's port, as the sentinel names it. */
  primaryPort(): Promise<number>;
  /** SENTINEL FAILOVER, once the sentinel accepts it; resolves with the port that is to be promoted. */
  requestFailover(): Promise<number>;
  /**
   * SENTINEL FAILOVER: the replica is promoted; resolves once it is primary and the sentinel has
   * ended the failover and announced it (+switch-master).
   */
  failover(): Promise<number>;
  /** Keys on a data node (DBSIZE). */
  keyCount(port: number): Promise<number>;
  /** INFO replication of a data node (role:, master_link_status:). */
  replication(port: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A primary, its replica and one sentinel watching them (quorum 1), on loopback, no persistence.
 * `password`: the data nodes require it; `sentinelPassword`: the sentinel requires its own;
 * `minReplicasToWrite`: a primary refuses writes (NOREPLICAS) with fewer replicas connected.
 * The replica is in sync before the sentinel starts, so the sentinel's first look at the
 * primary finds it. Stopped by PID, its folder removed.
 */
export async function startRedisSentinel(options: { password?: string; sentinelPassword?: string; minReplicasToWrite?: number } = {}): Promise<RedisSentinelHandle> {
  const dir = tempDir('gw-sentinel-');
  const [primary, replica, sentinelPort] = [await freePort(), await freePort(), await freePort()];
  const { password, sentinelPassword } = options;
  // One helper per kind of node: the data nodes and the sentinel may have different passwords.
  const redisCli = (port: number, ...args: string[]) => redisCliAuth(port === sentinelPort ? sentinelPassword : password, port, ...args);
  const auth = password === undefined ? [] : ['--requirepass', password, '--masterauth', password];
  const data = (port: number, extra: string[]) => spawnService('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', ...auth,
    // A replica's first sync waits 5 s by default for others to join it (diskless sync): no one else comes.
    '--repl-diskless-sync-delay', '0', ...extra,
    ...(options.minReplicasToWrite === undefined ? [] : ['--min-replicas-to-write', String(options.minReplicasToWrite), '--min-replicas-max-lag', '10']),
  ], { cwd: dir });
  const services: Service[] = [];
  const stop = async () => {
    await Promise.all(services.map((s) => s.stop()));
    removeTempDir(dir);
  };
  try {
    services.push(data(primary, []));
    await waitUntil(async () => (await redisCli(primary, 'PING').catch(() => '')) === 'PONG', 'the primary to answer', 10_000);
    services.push(data(replica, ['--replicaof', '127.0.0.1', String(primary)]));
    await waitUntil(async () => /master_link_status:up/.test(await redisCli(replica, 'INFO', 'replication').catch(() => '')), 'the replica to sync', 10_000);
    // The sentinel rewrites its file as it learns the set-up: it lives in the temp folder.
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(conf, [
      `port ${sentinelPort}`, 'bind 127.0.0.1', 'protected-mode no', `dir ${dir}`,
      `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${primary} 1`,
      ...(password === undefined ? [] : [`sentinel auth-pass ${SENTINEL_NAME} ${password}`]),
      ...(sentinelPassword === undefined ? [] : [`requirepass ${sentinelPassword}`]),
      `sentinel down-after-milliseconds ${SENTINEL_NAME} 1000`,
      `sentinel failover-timeout ${SENTINEL_NAME} 5000`,
      '',
    ].join('\n'));
    services.push(spawnService('redis-server', [conf, '--sentinel'], { cwd: dir }));
    // It answers for the primary at once; it learns of the replica within seconds (failover() waits for that).
    await waitUntil(async () => /^127\.0\.0\.1\n\d+$/.test(await redisCli(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME).catch(() => '')), 'the sentinel to answer', 10_000);
  } catch (err) {
    await stop();
    throw err;
  }

  const requestFailover = async () => {
    const before = await primaryPort();
    // NOGOODSLAVE until the sentinel has found the replica and had its INFO: asked again until accepted.
    await waitUntil(async () => (await redisCli(sentinelPort, 'SENTINEL', 'FAILOVER', SENTINEL_NAME).catch(() => '')) === 'OK', 'the sentinel to accept the failover', 20_000);
    return before === primary ? replica : primary;
  };
  const primaryPort = async () => Number((await redisCli(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME)).split('\n')[1]);
  return {
    ports: [primary, replica],
    sentinelPort,
    storeSection: () => `store:\n  redis:\n    sentinels: [{ host: 127.0.0.1, port: ${sentinelPort} }]\n    name: ${SENTINEL_NAME}\n${
      password === undefined ? '' : `    password: "${password}"\n`}${sentinelPassword === undefined ? '' : `    sentinelPassword: "${sentinelPassword}"\n`}`,
    primaryPort,
    requestFailover,
    async failover() {
      const other = await requestFailover();
      await waitUntil(async () => await primaryPort() === other && /^master/.test(await redisCli(other, 'ROLE')), 'the replica to be promoted', 20_000);
      // GET-MASTER-ADDR-BY-NAME names the promoted replica while the failover still runs; the
      // sentinel announces it (+switch-master, what clients act on) when the failover ends and
      // it starts afresh on the new address, without the failover_in_progress flag.
      await waitUntil(async () => {
        const master = (await redisCli(sentinelPort, 'SENTINEL', 'MASTER', SENTINEL_NAME)).split('\n');
        const field = (name: string) => master[master.indexOf(name) + 1];
        return field('port') === String(other) && !/failover_in_progress/.test(field('flags') ?? 'failover_in_progress');
      }, 'the sentinel to announce the new primary', 20_000);
      return other;
    },
    keyCount: async (port) => Number(await redisCli(port, 'DBSIZE')),
    replication: (port) => redisCli(port, 'INFO', 'replication'),
    stop,
  };
}

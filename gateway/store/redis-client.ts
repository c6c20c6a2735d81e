import { Redis, Cluster, ReplyError, type RedisOptions } from 'ioredis';
import type { GatewayConfig } from '../config/compile-config.js';
import type { Logger } from '../observability/logger.js';
import { authRefusalHint, type AuthRefusal } from './redis-auth-refusal.js';

export type RedisConfig = NonNullable<GatewayConfig['store']['redis']>;
export type RedisClient = Redis | Cluster;

/**
 * The one owner of ioredis. The request-path client never queues behind an outage (security
 * notes, item 11): no offline queue, one retry, a command timeout of a few hundred ms. A Redis
 * failure is then an immediate StoreUnavailableError instead of a hung request.
 */
export function createRedisClient(config: RedisConfig): RedisClient {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: config.commandTimeout,
    connectTimeout: config.connectTimeout,
    // Reconnect forever, backing off to 2 s: the gateway keeps serving while Redis is away.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    lazyConnect: true,
  };
  // Sentinel and Cluster take AUTH from the config (a url carries its own): every data node.
  if (config.username) options.username = config.username;
  if (config.password) options.password = config.password;
  if (config.cluster) {
    return new Cluster(config.cluster, {
      redisOptions: options,
      enableOfflineQueue: false,
      lazyConnect: true,
      // A slot without a master (CLUSTERDOWN) or a lost node fails the command at once instead of
      // being retried every 100 ms until commandTimeout: the failure stance applies, not a wait.
      retryDelayOnClusterDown: 0,
      retryDelayOnFailover: 0,
      slotsRefreshTimeout: config.connectTimeout,
    });
  }
  if (config.sentinels) {
    return new Redis({
      ...options,
      sentinels: config.sentinels,
      name: config.name,
      ...(config.sentinelPassword ? { sentinelPassword: config.sentinelPassword } : {}),
      // Without it ioredis leaves the old primary only when that one drops our connection, which
      // the sentinels do when they demote it, seconds after the promotion: writes meanwhile (a
      // logout) land on a node that then resyncs from the new primary and loses them. With it,
      // ioredis subscribes to +switch-master on the sentinels (with sentinelPassword) and
      // reconnects through them as soon as one announces the new primary (docs/adr/0008).
      failoverDetector: true,
      // A primary demoted under us (an announcement missed) answers writes READONLY: that write
      // fails (the caller's outage answer) and the client asks the sentinels again.
      reconnectOnError: (err) => (/^READONLY\b/.test(err.message) ? 1 : false),
    });
  }
  return new Redis(config.url, options);
}

/**
 * A failure on a ready connection that is not an error reply: the command got no answer within
 * commandTimeout (ioredis gives that error no code). Refused or closed connections fail fast by
 * themselves and are not this.
 */
export function failedUnanswered(client: RedisClient, err: unknown): boolean {
  return client.status === 'ready' && !(err instanceof ReplyError);
}

/**
 * One log line per change of the connection, not per failed reconnect attempt (ioredis retries
 * every 2 s and emits an error each time): warn when it is lost, info when it is back, and once
 * per outage when Redis refuses the credentials (`refused`), which would otherwise look the same
 * as a Redis that is away. Returns `closing()`, which silences the close that shutdown causes.
 */
export function logConnectionChanges(client: RedisClient, logger: Pick<Logger, 'warn' | 'info'>): {
  startFailed(err: unknown, refused: AuthRefusal | null): void;
  refused(which: AuthRefusal): void;
  closing(): void;
} {
  let up: boolean | undefined;
  let closing = false;
  let refusalLogged = false;
  const logRefusal = (which: AuthRefusal, when: string) => {
    refusalLogged = true;
    logger.warn({ kind: 'store', reason: 'auth_refused', refusedBy: which }, `store refused authentication ${when}: ${authRefusalHint(which)}; serving and reconnecting`);
  };
  client.on('ready', () => {
    if (up === false) logger.info({ kind: 'store' }, 'store connection back');
    up = true;
    refusalLogged = false;
  });
  client.on('close', () => {
    if (up === true && !closing) logger.warn({ kind: 'store' }, 'store connection lost; revocation fails closed, limits use per-instance memory');
    if (up !== undefined) up = false; // a failed first connect is reported by startFailed
  });
  return {
    startFailed(err, refused) {
      if (up !== undefined) return;
      up = false;
      if (refused !== null) return logRefusal(refused, 'at start');
      logger.warn({ kind: 'store', err: (err as Error).message }, 'store not reachable at start; serving and reconnecting');
    },
    // Before the first startFailed the start line reports it; after it, once per outage.
    refused(which) {
      if (up === false && !refusalLogged && !closing) logRefusal(which, 'on reconnect');
    },
    closing: () => { closing = true; },
  };
}

import { Cluster, type Redis } from 'ioredis';
import { shareHashTag } from './hash-tag.js';
import type { RedisClient } from './redis-client.js';

/**
 * The commands that touch several keys or every node, for one Redis (or a Sentinel's primary)
 * and for a Cluster alike. A Cluster refuses a multi-key command whose keys lie in different
 * slots (CROSSSLOT), and SCAN or INFO reach one node only: here those become one command per
 * key, in parallel, and one pass per master. One Redis keeps its single round trips.
 */
export interface RedisKeyspace {
  readonly clustered: boolean;
  /** One MGET (on a Cluster only when the keys share a hash tag); else one GET per key, in parallel. */
  getMany(keys: readonly string[]): Promise<(Buffer | null)[]>;
  /** How many of the keys existed: one DEL, or on a Cluster one per key (unless they share a tag). */
  del(keys: readonly string[]): Promise<number>;
  /** Each key set to its value for `ttlMs`: one MULTI, or on a Cluster one SET per key (each atomic alone). */
  setEach(entries: readonly (readonly [string, string])[], ttlMs: number): Promise<void>;
  /**
   * Every node that holds part of the keyspace: the client itself, or each master of the Cluster's
   * slot map. Throws when the map names a master the client has lost (a stopped node): a walk
   * over the keyspace would be incomplete, and the store is not wholly there.
   */
  nodes(): Redis[];
}

export function redisKeyspace(client: RedisClient): RedisKeyspace {
  if (!(client instanceof Cluster)) {
    return {
      clustered: false,
      getMany: (keys) => (keys.length === 0 ? Promise.resolve([]) : client.mgetBuffer(...keys)),
      del: (keys) => (keys.length === 0 ? Promise.resolve(0) : client.del(...keys)),
      setEach: async (entries, ttlMs) => {
        if (entries.length === 0) return;
        const multi = client.multi();
        for (const [key, value] of entries) multi.set(key, value, 'PX', px(ttlMs));
        await multi.exec();
      },
      nodes: () => [client],
    };
  }
  return {
    clustered: true,
    getMany: (keys) => {
      if (keys.length === 0) return Promise.resolve([]);
      if (shareHashTag(keys)) return client.mgetBuffer(...keys);
      return Promise.all(keys.map((k) => client.getBuffer(k)));
    },
    del: async (keys) => {
      if (keys.length === 0) return 0;
      if (shareHashTag(keys)) return client.del(...keys);
      return (await Promise.all(keys.map((k) => client.del(k)))).reduce((a, b) => a + b, 0);
    },
    setEach: async (entries, ttlMs) => {
      await Promise.all(entries.map(([key, value]) => client.set(key, value, 'PX', px(ttlMs))));
    },
    nodes: () => clusterMasters(client),
  };
}

function clusterMasters(cluster: Cluster): Redis[] {
  const connected = new Map(cluster.nodes('master').map((n) => [`${n.options.host}:${n.options.port}`, n]));
  const named = new Set<string>();
  for (const owners of cluster.slots) if (owners?.[0]) named.add(owners[0]);
  if (named.size === 0) throw new Error('the cluster slot map is not known yet');
  const nodes = [...named].map((key) => connected.get(key));
  if (nodes.some((n) => n === undefined)) {
    // ioredis drops a node whose connection ended and only makes a new one when a command is
    // redirected there or the slot map is read again; with the breaker open no command is, so
    // read it here: the next probe finds the node back (when it is).
    cluster.refreshSlotsCache();
    throw new Error('a cluster master named in the slot map is not connected');
  }
  return nodes as Redis[];
}

const px = (ms: number) => Math.max(1, Math.round(ms));

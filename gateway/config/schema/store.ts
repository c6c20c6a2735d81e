import { z } from 'zod';
import { duration, hostAddress, port } from './fields.js';

/** Shared state: Redis (single, Sentinel or Cluster), or the embedded memory store when absent. */

const node = z.strictObject({ host: hostAddress, port });
type HostPort = z.output<typeof node>;

const redis = z.strictObject({
  // "" (what ${REDIS_URL:-} gives when unset) means no Redis: see storeSchema below.
  // Never echoed in the message: the URL may carry a password (secrets.ts).
  url: z.string().refine(isRedisUrl, 'expected a redis:// or rediss:// URL, its port (if any) 1-65535').optional(),
  sentinels: z.array(node).min(1).optional(),
  name: z.string().min(1).optional(),
  cluster: z.array(node).min(1).optional(),
  // Sentinel and Cluster (a url carries its own): Redis AUTH (ACL user, or the default user's
  // requirepass); sentinelPassword is the sentinels' own. "" (an unset ${VAR:-}) means none.
  username: z.string().optional(),
  password: z.string().optional(),
  sentinelPassword: z.string().optional(),
  keyPrefix: z.string().default('gw:'),
  commandTimeout: duration.default(250),
  connectTimeout: duration.default(2000),
});

/** WHATWG URL parsing refuses a port above 65535 (`redis://host:99999`), which the client would only refuse at connect. */
function isRedisUrl(u: string): boolean {
  if (u === '') return true;
  try {
    const url = new URL(u);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '' && url.port !== '0';
  } catch {
    return false;
  }
}

interface RedisCommon { readonly keyPrefix: string; readonly commandTimeout: number; readonly connectTimeout: number }
/** AUTH for every data node (Sentinel's primary, each Cluster node); absent: none. */
interface RedisAuth { readonly username?: string; readonly password?: string }
/** Exactly one way to reach Redis; the others are absent, so `if (c.cluster)` narrows. */
export type RedisConfig = RedisCommon & (
  | { readonly url: string; readonly sentinels?: undefined; readonly name?: undefined; readonly cluster?: undefined; readonly username?: undefined; readonly password?: undefined; readonly sentinelPassword?: undefined }
  | RedisAuth & { readonly sentinels: HostPort[]; readonly name: string; readonly sentinelPassword?: string; readonly url?: undefined; readonly cluster?: undefined }
  | RedisAuth & { readonly cluster: HostPort[]; readonly url?: undefined; readonly sentinels?: undefined; readonly name?: undefined; readonly sentinelPassword?: undefined }
);
export interface StoreConfig { readonly redis?: RedisConfig }

const ONE_MODE = 'give exactly one of "url", "sentinels" (with "name") or "cluster"';

export const storeSchema = z.strictObject({ redis: redis.optional() }).default({})
  .transform((s, ctx): StoreConfig => {
    if (!s.redis) return {};
    const { url, sentinels, name, cluster, username, password, sentinelPassword, ...common } = s.redis;
    if ([url || undefined, sentinels, cluster].filter((m) => m !== undefined).length > 1) {
      ctx.addIssue({ code: 'custom', path: ['redis'], message: ONE_MODE });
      return z.NEVER;
    }
    const auth: RedisAuth = { ...(username ? { username } : {}), ...(password ? { password } : {}) };
    const misplaced = [
      ...(!sentinels && !cluster ? ([['username', username], ['password', password]] as const) : []),
      ...(!sentinels ? ([['sentinelPassword', sentinelPassword]] as const) : []),
    ].filter(([, v]) => v);
    for (const [field] of misplaced) {
      ctx.addIssue({ code: 'custom', path: ['redis', field], message: field === 'sentinelPassword' ? 'only with "sentinels"' : 'only with "sentinels" or "cluster" (a url carries its own: redis://user:password@host)' });
    }
    if (misplaced.length > 0) return z.NEVER;
    if (cluster) {
      // Redis Cluster hashes only the part of a key between the first { and the next }: a tag in
      // the prefix would put every key in one slot, so on one master (docs/configuration.md).
      if (/[{}]/.test(common.keyPrefix)) {
        ctx.addIssue({ code: 'custom', path: ['redis', 'keyPrefix'], message: 'on a Cluster the key prefix must not contain "{" or "}" (a hash tag there puts every key on one master)' });
        return z.NEVER;
      }
      return { redis: { ...common, ...auth, cluster } };
    }
    if (sentinels) {
      if (name) return { redis: { ...common, ...auth, sentinels, name, ...(sentinelPassword ? { sentinelPassword } : {}) } };
      ctx.addIssue({ code: 'custom', path: ['redis', 'name'], message: 'Sentinel needs the master "name"' });
      return z.NEVER;
    }
    if (url) return { redis: { ...common, url } };
    // An empty Redis URL with no Sentinel or Cluster is the embedded memory store, so one file
    // serves both: `redis: { url: "${REDIS_URL:-}" }`.
    if (url === undefined) ctx.addIssue({ code: 'custom', path: ['redis'], message: ONE_MODE });
    return {};
  });

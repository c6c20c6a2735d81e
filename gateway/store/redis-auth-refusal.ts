import { ReplyError } from 'ioredis';
import type { RedisClient } from './redis-client.js';

/** Which Redis refused the credentials: a data node (password/username) or a sentinel (sentinelPassword). */
export type AuthRefusal = 'data' | 'sentinel';

/**
 * The error codes Redis answers a refused AUTH or an unauthenticated command with. RESP: "the
 * first word after the '-', up to the first space or newline, represents the kind of error"
 * (redis.io/docs/reference/protocol-spec, Simple errors): that word is the code. WRONGPASS (6+:
 * wrong password or unknown/disabled ACL user), NOAUTH (no password sent), NOPERM (an ACL user
 * not allowed to run the ready check), and Redis < 6's "ERR invalid password".
 */
const REFUSED = /^(?:WRONGPASS|NOAUTH|NOPERM)\b|^ERR invalid password\b/;

/**
 * Whether an error ioredis reported is Redis refusing our credentials. `event` is the ioredis
 * event it came with: a data node's reply arrives as a ReplyError ('error', or 'node error' on a
 * Cluster); a sentinel's only inside ioredis's 'sentinelError' text, after "because ".
 */
export function authRefusal(event: 'error' | 'node error' | 'sentinelError', err: unknown): AuthRefusal | null {
  if (event === 'sentinelError') {
    const reply = err instanceof Error ? / because (.*)$/s.exec(err.message)?.[1] : undefined;
    return reply !== undefined && REFUSED.test(reply) ? 'sentinel' : null;
  }
  return err instanceof ReplyError && REFUSED.test((err as Error).message) ? 'data' : null;
}

/**
 * The last credential refusal since the connection was last ready (null once it is ready
 * again), so a failure to connect can say "refused" instead of "unreachable". `onRefused` is
 * called for each refusal seen.
 */
export function trackAuthRefusals(client: RedisClient, onRefused?: (which: AuthRefusal) => void): { last(): AuthRefusal | null } {
  let last: AuthRefusal | null = null;
  const seen = (event: 'error' | 'node error' | 'sentinelError') => (err: unknown) => {
    const which = authRefusal(event, err);
    if (which === null) return;
    last = which;
    onRefused?.(which);
  };
  client.on('error', seen('error'));
  client.on('node error', seen('node error'));
  client.on('sentinelError', seen('sentinelError'));
  client.on('ready', () => { last = null; });
  return { last: () => last };
}

/** What to check, for a log line or the CLI: never the password or the URL itself. */
export function authRefusalHint(which: AuthRefusal): string {
  return which === 'sentinel'
    ? 'a Redis Sentinel refused authentication: check store.redis.sentinelPassword'
    : 'Redis refused authentication (wrong or missing password, or an unknown or disabled ACL user): check store.redis password/username or the credentials in its url';
}

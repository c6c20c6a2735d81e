/**
 * Config values that are secrets, declared once: GET /admin/config redacts these paths
 * (config/config-view.ts), and `loadConfig(..., { secrets: 'optional' })` lets them be unset.
 * Paths as ConfigIssue prints them; `[*]` is any list index and a last `.*` any key.
 * store.redis.url is here because a URL can carry a password (redis://:pw@host), beside the
 * passwords Sentinel and Cluster take as fields; the headers a
 * route sets on requests to the backend because that is where a backend credential goes
 * (`Authorization: Basic ${BACKEND_AUTH}`).
 */
export const SECRET_PATHS = ['auth.jwt.secret', 'auth.apiKeys.secret', 'store.redis.url', 'store.redis.password', 'store.redis.sentinelPassword', 'routes[*].headers.request.set.*'] as const;
export type SecretPath = (typeof SECRET_PATHS)[number];

/** One expression for the whole list: `routes[3].headers.request.set.X-Token` matches the last entry. */
const SECRET = new RegExp(`^(?:${SECRET_PATHS.map(pathPattern).join('|')})$`);

function pathPattern(path: string): string {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const anyIndex = escape('[*]');
  const anyKey = escape('.*');
  let out = escape(path).replaceAll(anyIndex, '\\[\\d+\\]');
  if (out.endsWith(anyKey)) out = `${out.slice(0, -anyKey.length)}\\..+`;
  return out;
}

/**
 * strict (the default): every secret must be set and long enough. optional: for commands that
 * never sign or verify (listing users or keys), an unset or short secret compiles to null.
 */
export type SecretsMode = 'strict' | 'optional';
export interface LoadOptions<M extends SecretsMode = SecretsMode> {
  secrets?: M;
  /** Also report files the config names that do not exist (users file, TLS and JWT key files): `gateway check`. */
  checkFiles?: boolean;
}

/** A secret as compiled: always present in strict mode; in optional mode the caller must check for null. */
export type Secret<M extends SecretsMode> = M extends 'optional' ? string | null : string;

export const MIN_SECRET_BYTES = 32;

export function isSecretPath(path: string): boolean {
  return SECRET.test(path);
}

/** Random keys (not addresses): `npm start` generates these for the demo. */
export function isGeneratedSecret(path: string): boolean {
  return path === 'auth.jwt.secret' || path === 'auth.apiKeys.secret';
}

export function isLongEnough(secret: string): boolean {
  return Buffer.byteLength(secret) >= MIN_SECRET_BYTES;
}

/** The value a secret compiles to; validate-config has already refused a short one in strict mode. */
export function secretValue<M extends SecretsMode>(value: string, mode: M): Secret<M> {
  if (isLongEnough(value) || mode === 'strict') return value as Secret<M>;
  return null as Secret<M>;
}

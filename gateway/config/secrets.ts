/**
 * Config values that are secrets, declared once: the logger and /admin/config redact these paths,
 * and `loadConfig(..., { secrets: 'optional' })` lets them be unset. Paths as ConfigIssue prints
 * them. store.redis.url is here because a URL can carry a password (redis://:pw@host).
 */
export const SECRET_PATHS = ['auth.jwt.secret', 'auth.apiKeys.secret', 'store.redis.url'] as const;
export type SecretPath = (typeof SECRET_PATHS)[number];

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

export function isSecretPath(path: string): path is SecretPath {
  return (SECRET_PATHS as readonly string[]).includes(path);
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

import { resolve } from 'node:path';
import { z } from 'zod';
import { isLongEnough, MIN_SECRET_BYTES, secretValue, type Secret, type SecretsMode } from '../secrets.js';
import { duration, headerName, listOf, wholeNumber } from './fields.js';
import type { PathIssue } from './path-issue.js';
import type { StoreConfig } from './store.js';

/** Who the gateway believes: its own JWTs (or an IdP's JWKS), API keys, users, and login limits. */

const ASYMMETRIC = ['RS256', 'ES256', 'EdDSA'] as const;

const jwt = z.strictObject({
  issuer: z.string().min(1).default('security-gateway'),
  audience: z.string().min(1).default('trading-api'),
  algorithm: z.enum(['HS256', ...ASYMMETRIC]).default('HS256'),
  // Its length is checked by checkAuthSecrets, which knows whether secrets may be absent.
  secret: z.string().optional(),
  privateKeyFile: z.string().optional(),
  publicKeyFile: z.string().optional(),
  accessTtl: duration.default(30 * 60_000),
  refreshTtl: duration.default(7 * 86_400_000),
  clockTolerance: duration.default(30_000),
  refreshGrace: duration.default(5000),
}).transform((j, ctx) => {
  const { secret, privateKeyFile, publicKeyFile, algorithm, ...common } = j;
  if (algorithm === 'HS256') {
    if (secret !== undefined) return { ...common, algorithm, secret };
    ctx.addIssue({ code: 'custom', path: ['secret'], message: 'HS256 needs a secret: set JWT_SECRET to at least 32 random bytes (openssl rand -base64 48)' });
    return z.NEVER;
  }
  if (secret !== undefined) ctx.addIssue({ code: 'custom', path: ['secret'], message: `a secret has no use with ${algorithm}; remove it` });
  if (!privateKeyFile || !publicKeyFile) {
    ctx.addIssue({ code: 'custom', message: `${algorithm} needs privateKeyFile and publicKeyFile` });
    return z.NEVER;
  }
  return { ...common, algorithm, privateKeyFile, publicKeyFile };
});

/**
 * Where users or API keys live: a file (the default, one instance or a shared volume), or the
 * shared store (`source: store`, every instance on one Redis sees a change within a second;
 * auth/store-directory.ts). Compiles to a union narrowed by `source`.
 */
function directorySource<T extends { source?: 'file' | 'store' | undefined; file?: string | undefined }>(schema: z.ZodType<T>, section: string, create: string) {
  return schema.transform((d, ctx) => {
    const { source, file, ...rest } = d;
    if (source === 'store') {
      if (file === undefined) return { ...rest, source: 'store' as const };
      ctx.addIssue({ code: 'custom', path: ['file'], message: `a file has no use with source: store; remove it (move its records with "gateway ${section === 'users' ? 'users' : 'keys'} import ${file}")` });
      return z.NEVER;
    }
    if (file !== undefined) return { ...rest, source: 'file' as const, file };
    ctx.addIssue({ code: 'custom', message: `auth.${section}: expected file: PATH (created by "${create} --config FILE"), or source: store (kept in store.redis)` });
    return z.NEVER;
  });
}

export const authSchema = z.strictObject({
  jwt,
  jwks: z.strictObject({
    url: z.string().url('expected the JWKS URL of the identity provider'),
    issuer: z.string().min(1),
    audience: z.string().min(1),
    algorithms: listOf(z.enum(['RS256', 'ES256', 'EdDSA', 'PS256']), 'RS256, ES256').min(1).default(['RS256', 'ES256']),
    rolesClaim: z.string().default('roles'),
    refreshInterval: duration.default(600_000),
    cooldown: duration.default(30_000),
  }).optional(),
  users: directorySource(z.strictObject({ source: z.enum(['file', 'store']).optional(), file: z.string().optional() }), 'users', 'gateway users add NAME --role ROLE').optional(),
  apiKeys: directorySource(z.strictObject({ source: z.enum(['file', 'store']).optional(), file: z.string().optional(), secret: z.string() }), 'apiKeys', 'gateway keys create --name NAME --role ROLE').optional(),
  argon2: z.strictObject({
    memoryKiB: wholeNumber(8192).default(19_456),
    iterations: wholeNumber(1).default(2),
    parallelism: wholeNumber(1).default(1),
  }).default({ memoryKiB: 19_456, iterations: 2, parallelism: 1 }),
  login: z.strictObject({
    failuresPerUserAndIp: wholeNumber(1).default(5),
    failuresPerIp: wholeNumber(1).default(50),
    window: duration.default(15 * 60_000),
  }).default({ failuresPerUserAndIp: 5, failuresPerIp: 50, window: 15 * 60_000 }),
  identityHeaders: z.strictObject({
    user: headerName.default('X-User-Id'),
    roles: headerName.default('X-User-Roles'),
    method: headerName.default('X-Auth-Method'),
  }).default({ user: 'X-User-Id', roles: 'X-User-Roles', method: 'X-Auth-Method' }),
  onStoreError: z.enum(['deny', 'allow']).default('deny'),
});
export type RawAuth = z.output<typeof authSchema>;
type RawJwt = RawAuth['jwt'];

/** HS256 always carries its secret, the others both key files: switch on `algorithm`, no `!`. */
export type JwtConfig<M extends SecretsMode = 'strict'> = RawJwt extends infer J
  ? J extends { algorithm: 'HS256' } ? Omit<J, 'secret'> & { readonly secret: Secret<M> } : J
  : never;

/** Users: a watched file, or the shared store's directory. */
export type UsersSource = { readonly source: 'file'; readonly file: string } | { readonly source: 'store' };
/** API keys: as users, plus the HMAC secret every instance and the CLI must share. */
export type ApiKeysSource<M extends SecretsMode = 'strict'> = UsersSource & { readonly secret: Secret<M> };

export type AuthConfig<M extends SecretsMode = 'strict'> = Omit<RawAuth, 'jwt' | 'apiKeys' | 'users'> & {
  readonly jwt: JwtConfig<M>;
  readonly users?: UsersSource;
  readonly apiKeys?: ApiKeysSource<M>;
};

/**
 * The store directory is for several instances: the in-memory store is this process's own, so
 * neither another instance nor `gateway users|keys` could ever reach what it holds.
 */
export function checkDirectoryStore(auth: RawAuth, store: StoreConfig): PathIssue[] {
  if (store.redis !== undefined) return [];
  const issues: PathIssue[] = [];
  for (const [section, cli] of [['users', 'gateway users'], ['apiKeys', 'gateway keys']] as const) {
    if (auth[section]?.source !== 'store') continue;
    issues.push({ path: ['auth', section, 'source'], message: `source: store needs a shared store (store.redis): with the in-memory store no other instance, and no "${cli}" command, could reach the records; use file: PATH for a single instance` });
  }
  return issues;
}

/** Strict mode: a secret shorter than 32 bytes is an error. Optional mode: it compiles to null. */
export function checkAuthSecrets(auth: RawAuth, mode: SecretsMode): PathIssue[] {
  if (mode === 'optional') return [];
  const issues: PathIssue[] = [];
  const short = (path: string[], what: string) => issues.push({
    path: ['auth', ...path], message: `${what} must be at least ${MIN_SECRET_BYTES} bytes (openssl rand -base64 48)`,
  });
  if (auth.jwt.algorithm === 'HS256' && !isLongEnough(auth.jwt.secret)) short(['jwt', 'secret'], 'auth.jwt.secret');
  if (auth.apiKeys && !isLongEnough(auth.apiKeys.secret)) short(['apiKeys', 'secret'], 'auth.apiKeys.secret');
  return issues;
}

export function compileAuth<M extends SecretsMode>(auth: RawAuth, mode: M): AuthConfig<M> {
  const jwt: JwtConfig<M> = auth.jwt.algorithm === 'HS256'
    ? { ...auth.jwt, secret: secretValue(auth.jwt.secret, mode) }
    : { ...auth.jwt, privateKeyFile: resolve(auth.jwt.privateKeyFile), publicKeyFile: resolve(auth.jwt.publicKeyFile) };
  return {
    ...auth,
    jwt,
    users: auth.users && (auth.users.source === 'store' ? { source: 'store' } : { source: 'file', file: resolve(auth.users.file) }),
    apiKeys: auth.apiKeys && {
      ...(auth.apiKeys.source === 'store' ? { source: 'store' as const } : { source: 'file' as const, file: resolve(auth.apiKeys.file) }),
      secret: secretValue(auth.apiKeys.secret, mode),
    },
  };
}

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeJwt, errors, importPKCS8, importSPKI, jwtVerify, SignJWT, type CryptoKey, type JWTPayload, type KeyObject } from 'jose';
import type { GatewayConfig } from '../../config/compile-config.js';
import type { GatewayError } from '../../errors.js';
import { authError } from '../auth-error.js';
import { createVerifiedTokenCache } from './verified-token-cache.js';

/**
 * auth/tokens/ is the one owner of jose: this module for the gateway's own tokens,
 * jwks-client.ts for an identity provider's. Access and refresh tokens are mutually
 * exclusive (RFC 8725 3.11): different `typ` and different audience, checked on every verify.
 * Verification pins the algorithm, issuer, audience, typ, required claims and a maximum age
 * (security notes, item 1); keys are imported once per config.
 */
export const ACCESS_TYP = 'at+jwt';
export const REFRESH_TYP = 'refresh+jwt';

export interface TokenClaims {
  sub: string;
  roles: string[];
  jti: string;
  fam: string;
  iat: number;
  exp: number;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

/** A pair as issued: the client's part, and what the session record needs (revocation.ts). */
export interface IssuedPair {
  tokens: TokenPair;
  family: string;
  refreshJti: string;
}

type Key = Uint8Array | CryptoKey | KeyObject;
export type JwtConfig = NonNullable<GatewayConfig['auth']>['jwt'];

export interface TokenService {
  issuePair(sub: string, roles: readonly string[], family?: string): Promise<IssuedPair>;
  verifyAccess(token: string): Promise<TokenClaims>;
  verifyRefresh(token: string): Promise<TokenClaims>;
}

export async function createTokenService(config: JwtConfig, now: () => number = Date.now): Promise<TokenService> {
  const { signKey, verifyKey } = await importKeys(config);
  const refreshAudience = `${config.audience}:refresh`;
  const sign = (claims: { sub: string; roles: readonly string[]; fam: string }, typ: string, audience: string, ttlMs: number, jti = randomUUID()) => {
    const iat = Math.floor(now() / 1000);
    return new SignJWT({ roles: [...claims.roles], fam: claims.fam })
      .setProtectedHeader({ alg: config.algorithm, typ })
      .setSubject(claims.sub)
      .setIssuer(config.issuer)
      .setAudience(audience)
      .setJti(jti)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + Math.floor(ttlMs / 1000))
      .sign(signKey);
  };
  const verified = createVerifiedTokenCache<TokenClaims>(10_000, now);
  const verify = async (token: string, typ: string, audience: string, ttlMs: number): Promise<TokenClaims> => {
    try {
      const { payload } = await jwtVerify(token, verifyKey, {
        algorithms: [config.algorithm],
        issuer: config.issuer,
        audience,
        typ,
        requiredClaims: ['exp', 'iat', 'sub', 'jti', 'nbf'],
        maxTokenAge: Math.floor(ttlMs / 1000) + Math.floor(config.clockTolerance / 1000),
        clockTolerance: Math.floor(config.clockTolerance / 1000),
        currentDate: new Date(now()),
      });
      return toClaims(payload);
    } catch (err) {
      throw translateJoseError(err);
    }
  };

  return {
    async issuePair(sub, roles, family = randomUUID()) {
      const claims = { sub, roles, fam: family };
      const refreshJti = randomUUID();
      const [access, refresh] = await Promise.all([
        sign(claims, ACCESS_TYP, config.audience, config.accessTtl),
        sign(claims, REFRESH_TYP, refreshAudience, config.refreshTtl, refreshJti),
      ]);
      return { tokens: { access_token: access, refresh_token: refresh, token_type: 'bearer', expires_in: Math.floor(config.accessTtl / 1000) }, family, refreshJti };
    },
    async verifyAccess(token) {
      const cached = verified.get(token);
      if (cached) return cached;
      const claims = await verify(token, ACCESS_TYP, config.audience, config.accessTtl);
      // Valid for as long as jose would still accept it: until exp or the maximum age, plus tolerance.
      verified.set(token, claims, Math.min(claims.exp * 1000, claims.iat * 1000 + config.accessTtl) + config.clockTolerance);
      return claims;
    },
    verifyRefresh: (token) => verify(token, REFRESH_TYP, refreshAudience, config.refreshTtl),
  };
}

async function importKeys(config: JwtConfig): Promise<{ signKey: Key; verifyKey: Key }> {
  if (config.algorithm === 'HS256') {
    // A CryptoKey made once: given raw bytes, jose imports a new key on every call (profiled:
    // ~10% of the gateway's CPU on authenticated routes).
    const secret = await crypto.subtle.importKey('raw', new TextEncoder().encode(config.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return { signKey: secret, verifyKey: secret };
  }
  return {
    signKey: await importPKCS8(readFileSync(config.privateKeyFile, 'utf8'), config.algorithm),
    verifyKey: await importSPKI(readFileSync(config.publicKeyFile, 'utf8'), config.algorithm),
  };
}

export function toClaims(payload: JWTPayload, rolesClaim = 'roles'): TokenClaims {
  const roles = payload[rolesClaim];
  return {
    sub: payload.sub!,
    roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : typeof roles === 'string' ? roles.split(' ') : [],
    jti: payload.jti!,
    fam: typeof payload.fam === 'string' ? payload.fam : '',
    iat: payload.iat!,
    exp: payload.exp!,
  };
}

/** jose's errors by their stable code (never by message) to RFC 6750 descriptions. */
export function translateJoseError(err: unknown): GatewayError {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return authError('auth.token_expired', 'the token has expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const { claim, reason } = err as errors.JWTClaimValidationFailed;
      if (claim === 'nbf') return authError('auth.invalid_token', 'the token is not valid yet');
      if (claim === 'aud') return authError('auth.invalid_token', 'wrong audience');
      if (claim === 'iss') return authError('auth.invalid_token', 'wrong issuer');
      if (claim === 'typ') return authError('auth.invalid_token', 'wrong token type');
      if (claim === 'iat') return authError('auth.invalid_token', reason === 'check_failed' ? 'the token is too old or issued in the future' : 'invalid iat');
      return authError('auth.invalid_token', `invalid ${claim} claim`);
    }
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return authError('auth.invalid_token', 'algorithm not allowed');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return authError('auth.invalid_token', 'bad signature');
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return authError('auth.invalid_token', 'unknown signing key');
    default:
      return authError('auth.invalid_token', 'malformed token');
  }
}

/**
 * The `iss` of a token before verification, only to pick which verifier (own keys or the
 * identity provider's) checks it. Each verifier pins its own algorithms and issuer, so a wrong
 * pick fails verification; it never widens what is accepted.
 */
export function unverifiedIssuer(token: string): string | undefined {
  try {
    return decodeJwt(token).iss;
  } catch {
    return undefined;
  }
}

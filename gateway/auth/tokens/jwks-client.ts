import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';

/**
 * Keys of an external identity provider, robust where generic clients are not:
 * - one fetch at a time (single flight), however many requests need keys;
 * - an unknown `kid` triggers a refetch at most once per cool-down, so forged kids cannot
 *   make the gateway hammer the provider;
 * - a failed fetch keeps the last good key set (jose's remote set throws once its cache is stale);
 * - `ready()` is false until the first set has loaded (/readyz reports it).
 */
export interface JwksClient {
  ready(): boolean;
  verify(token: string, options: { issuer: string; audience: string; algorithms: string[]; clockTolerance: number }): Promise<JWTPayload>;
  close(): void;
}

export function createJwksClient(url: string, refreshIntervalMs: number, cooldownMs: number, onError: (err: Error) => void, now: () => number = Date.now): JwksClient {
  let keys: ReturnType<typeof createLocalJWKSet> | null = null;
  let pending: Promise<boolean> | null = null;
  let lastAttempt = -Infinity;
  let closed = false;

  /** Fetches now (single flight); resolves false on failure. */
  const refresh = (): Promise<boolean> => {
    pending ??= (async () => {
      lastAttempt = now();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } });
        if (!res.ok) throw new Error(`JWKS fetch answered ${res.status}`);
        const set = (await res.json()) as JSONWebKeySet;
        if (!Array.isArray(set.keys)) throw new Error('JWKS response has no "keys" array');
        keys = createLocalJWKSet(set);
        return true;
      } catch (err) {
        onError(err as Error);
        // Not ready yet: try again after the cool-down rather than wait for the next interval.
        if (keys === null && !closed) setTimeout(() => void refresh(), cooldownMs).unref();
        return false;
      } finally {
        pending = null;
      }
    })();
    return pending;
  };
  void refresh();
  const timer = setInterval(() => void refresh(), refreshIntervalMs);
  timer.unref();

  return {
    ready: () => keys !== null,
    async verify(token, o) {
      const attempt = async () => {
        if (!keys) throw new errors.JWKSNoMatchingKey();
        const { payload } = await jwtVerify(token, keys, { ...o, requiredClaims: ['exp', 'iat', 'sub'] });
        return payload;
      };
      try {
        return await attempt();
      } catch (err) {
        const unknownKey = (err as { code?: string }).code === 'ERR_JWKS_NO_MATCHING_KEY';
        if (!unknownKey || now() - lastAttempt < cooldownMs) throw err;
        await refresh();
        return attempt();
      }
    },
    close: () => {
      closed = true;
      clearInterval(timer);
    },
  };
}

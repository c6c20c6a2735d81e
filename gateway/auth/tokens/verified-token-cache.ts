/**
 * Tokens already verified, by their exact string, until they expire (Envoy's jwt_authn keeps
 * such a cache too). A client sends the same access token for its whole life, and each HMAC
 * verification through WebCrypto costs ~15% of the gateway's CPU on an authenticated route.
 * A hit still gets its revocation checked by the caller; a forged or altered token is another
 * string and never hits. Bounded: the oldest entry goes first.
 */
export interface VerifiedTokenCache<T> {
  get(token: string): T | undefined;
  set(token: string, value: T, validUntilMs: number): void;
}

export function createVerifiedTokenCache<T>(maxEntries: number, now: () => number): VerifiedTokenCache<T> {
  const entries = new Map<string, { value: T; validUntilMs: number }>();
  return {
    get(token) {
      const hit = entries.get(token);
      if (hit === undefined) return undefined;
      if (hit.validUntilMs <= now()) {
        entries.delete(token);
        return undefined;
      }
      return hit.value;
    },
    set(token, value, validUntilMs) {
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(token, { value, validUntilMs });
    },
  };
}

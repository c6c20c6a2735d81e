import argon2 from 'argon2';

/**
 * The one owner of argon2. argon2id with OWASP's parameters by default (19 MiB, 2 passes,
 * parallelism 1: ~30 ms here; the library's defaults take ~200 ms and let a few logins
 * saturate the machine). A stored hash carries its own parameters, so changing them never
 * locks anyone out.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the time of a real verification: for unknown users, so timing tells nothing. */
  verifyDummy(password: string): Promise<false>;
}

export interface Argon2Params {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

export async function createPasswordHasher(params: Argon2Params): Promise<PasswordHasher> {
  const options = { type: argon2.argon2id as 2, raw: false as const, memoryCost: params.memoryKiB, timeCost: params.iterations, parallelism: params.parallelism };
  const dummy = await argon2.hash('dummy password that matches nothing', options);
  return {
    hash: (password) => argon2.hash(password, options),
    async verify(hash, password) {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false; // a malformed stored hash never authenticates
      }
    },
    async verifyDummy(password) {
      await argon2.verify(dummy, password).catch(() => false);
      return false;
    },
  };
}

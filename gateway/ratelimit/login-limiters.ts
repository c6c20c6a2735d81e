import type { GatewayConfig } from '../config/compile-config.js';
import { retryAfterError } from '../errors.js';
import type { Store } from '../store/store.js';
import { createLimiter } from './create-limiter.js';

type LoginConfig = NonNullable<GatewayConfig['auth']>['login'];

/**
 * Failed-login budgets (OWASP brute-force guidance): per username and address, so one account
 * cannot be guessed at, and per address, so one client cannot spray many accounts. Only
 * failures count; a success clears the username+address budget.
 */
export interface LoginLimiters {
  /** Throws auth.too_many_attempts (429 with Retry-After) while either budget is spent. */
  check(username: string, clientIp: string): Promise<void>;
  failed(username: string, clientIp: string): Promise<void>;
  succeeded(username: string, clientIp: string): Promise<void>;
}

export function createLoginLimiters(login: LoginConfig, store: Store): LoginLimiters {
  const byUserIp = createLimiter(store, { name: 'login-user-ip', points: login.failuresPerUserAndIp, durationMs: login.window });
  const byIp = createLimiter(store, { name: 'login-ip', points: login.failuresPerIp, durationMs: login.window });
  const userIpKey = (username: string, clientIp: string) => `${username}|${clientIp}`;
  return {
    async check(username, clientIp) {
      for (const [limiter, key] of [[byUserIp, userIpKey(username, clientIp)], [byIp, clientIp]] as const) {
        // A counter that cannot be read does not lock anyone out: the password check still runs.
        const { consumed, resetMs } = await limiter.used(key).catch(() => ({ consumed: 0, resetMs: 0 }));
        if (consumed >= limiter.points) throw retryAfterError('auth.too_many_attempts', resetMs, (s) => `too many failed logins; try again in ${s} s`);
      }
    },
    async failed(username, clientIp) {
      await Promise.all([byUserIp.consume(userIpKey(username, clientIp)), byIp.consume(clientIp)]);
    },
    async succeeded(username, clientIp) {
      await byUserIp.reset(userIpKey(username, clientIp)).catch(() => {});
    },
  };
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GatewayConfig } from '../../gateway/config/compile-config.js';
import { partsToBuild } from '../../gateway/server/runtime-parts.js';

/** Which parts a reload builds anew for what it changed; the rest are kept with their state. */
describe('partsToBuild', () => {
  const login = { failuresPerUserAndIp: 3, failuresPerIp: 20, window: 60_000 };
  const config = (auth: object | undefined) => ({ auth }) as unknown as GatewayConfig;
  const same = config({ jwt: { accessTtl: 300_000 }, login });
  const change = (sectionsChanged: string[], before = same, after = same) => ({ sectionsChanged, before, after });
  const rows: { description: string; change: Parameters<typeof partsToBuild>[0]; built: string[] }[] = [
    { description: 'at start everything is built', change: 'all', built: ['admin', 'apiApp', 'auth', 'cache', 'certs', 'chains', 'loginLimiters', 'rateLimiters', 'upstreams'] },
    { description: 'routes only: chains only; limiters and auth keep their state', change: change([]), built: ['chains'] },
    { description: 'auth without its login budgets: the service, its API app and the admin plane; login counts stay', change: change(['auth'], same, config({ jwt: { accessTtl: 600_000 }, login })), built: ['admin', 'apiApp', 'auth', 'chains'] },
    { description: 'auth.login: the login limiters too', change: change(['auth'], same, config({ jwt: { accessTtl: 300_000 }, login: { ...login, failuresPerIp: 30 } })), built: ['admin', 'apiApp', 'auth', 'chains', 'loginLimiters'] },
    { description: 'auth removed: no login limiters any more', change: change(['auth'], same, config(undefined)), built: ['admin', 'apiApp', 'auth', 'chains', 'loginLimiters'] },
    { description: 'rateLimits: the request limiters (each unchanged limiter kept inside), and the admin plane that spends one', change: change(['rateLimits']), built: ['admin', 'chains', 'rateLimiters'] },
    { description: 'upstreams: the pools and the readiness probe that asks them', change: change(['upstreams']), built: ['apiApp', 'chains', 'upstreams'] },
    { description: 'hosts: the certificate (its names)', change: change(['hosts']), built: ['certs', 'chains'] },
    { description: 'cors: chains only', change: change(['cors']), built: ['chains'] },
    { description: 'security headers: chains and the admin plane (its route\'s headers)', change: change(['baseResponseHeaders']), built: ['admin', 'chains'] },
    { description: 'cache: the response cache (its counters carried over) and the admin plane that purges it', change: change(['cache'], same, { ...same, cache: { maxTtl: 1 } } as unknown as GatewayConfig), built: ['admin', 'cache', 'chains'] },
    { description: 'listeners: the admin plane (its route: tls or not); the listeners themselves wait for a restart', change: change(['listeners']), built: ['admin', 'chains'] },
  ];
  for (const row of rows) {
    test(row.description, () => {
      assert.deepEqual([...partsToBuild(row.change)].sort(), row.built);
    });
  }
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { partsToBuild } from '../../gateway/server/runtime-parts.js';

/** Which parts a reload builds anew for the sections it changed; the rest are kept with their state. */
describe('partsToBuild', () => {
  const rows: { description: string; changed: readonly string[] | 'all'; built: string[] }[] = [
    { description: 'at start everything is built', changed: 'all', built: ['apiApp', 'auth', 'certs', 'chains', 'loginLimiters', 'rateLimiters', 'upstream'] },
    { description: 'routes only: chains only; limiters and auth keep their state', changed: [], built: ['chains'] },
    { description: 'auth: the service, its login limiters and the API app that serves it', changed: ['auth'], built: ['apiApp', 'auth', 'chains', 'loginLimiters'] },
    { description: 'rateLimits: request limiters only', changed: ['rateLimits'], built: ['chains', 'rateLimiters'] },
    { description: 'upstream: the pool and the readiness probe that asks it', changed: ['upstream'], built: ['apiApp', 'chains', 'upstream'] },
    { description: 'hosts: the certificate (its names)', changed: ['hosts'], built: ['certs', 'chains'] },
    { description: 'cors and headers: chains only', changed: ['cors', 'baseResponseHeaders'], built: ['chains'] },
  ];
  for (const row of rows) {
    test(row.description, () => {
      assert.deepEqual([...partsToBuild(row.changed)].sort(), row.built);
    });
  }
});

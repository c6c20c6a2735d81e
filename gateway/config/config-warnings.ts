import type { GatewayConfig } from './compile-config.js';
import { ACME_DIRECTORIES } from './schema/acme.js';
import { isLoopbackHost } from './schema/listeners.js';
import type { SecretsMode } from './secrets.js';

/** Something a valid config does that an operator may not mean: `check` prints it, `serve` logs it. */
export interface ConfigWarning {
  /** The field, as ConfigIssue paths are written. */
  path: string;
  message: string;
}

export function configWarnings(config: GatewayConfig<SecretsMode>): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const admin = config.listeners.admin;
  if (admin && !isLoopbackHost(admin.host)) {
    warnings.push({
      path: 'listeners.admin.host',
      message: `${admin.host} is not a loopback address: the admin endpoints (cache purge, later metrics and reload) can be reached from the network; every request still needs the admin role${admin.tls ? '' : ', and without tls: true its credentials cross the network in clear text'}`,
    });
  }
  const http = config.listeners.http;
  if (config.tls.mode === 'acme' && http && http.port !== 80 && Object.values(ACME_DIRECTORIES).includes(config.tls.directory)) {
    warnings.push({
      path: 'listeners.http.port',
      message: `Let's Encrypt checks each domain on port 80 (RFC 8555 8.3): with the HTTP listener on ${http.port}, something in front must forward port 80 to it`,
    });
  }
  for (const route of config.routes) {
    if (route.cache?.scope === 'shared' && route.auth.mode !== 'none') {
      warnings.push({
        path: `routes.${route.id}.cache.scope`,
        message: `route "${route.id}" caches in scope shared behind authentication: every caller gets the answer the backend gave the first one; use it only where the backend answers the same for everyone (scope user or role otherwise)`,
      });
    }
  }
  return warnings;
}

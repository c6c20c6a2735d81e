import type { Principal } from '../auth/principal.js';
import type { GatewayConfig } from '../config/compile-config.js';
import { DEFAULT_IDENTITY_HEADERS } from './request-headers.js';

export interface IdentityHeaderNames {
  user: string;
  roles: string;
  method: string;
}

/** The lower-case identity header names for a config: the ones a client may never send. */
export function identityHeaderNames(config: GatewayConfig): IdentityHeaderNames {
  const h = config.auth?.identityHeaders;
  return h
    ? { user: h.user.toLowerCase(), roles: h.roles.toLowerCase(), method: h.method.toLowerCase() }
    : { user: DEFAULT_IDENTITY_HEADERS[0]!, roles: DEFAULT_IDENTITY_HEADERS[1]!, method: DEFAULT_IDENTITY_HEADERS[2]! };
}

/** What the backend is told about the verified caller: the only source of these headers. */
export function identityHeaders(names: IdentityHeaderNames, principal: Principal | null): string[] | undefined {
  if (!principal) return undefined;
  return [names.user, principal.id, names.roles, [...principal.roles].join(','), names.method, principal.method === 'jwt' ? 'jwt' : 'api-key'];
}

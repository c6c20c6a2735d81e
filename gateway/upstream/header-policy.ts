import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import { identityHeaderNames } from './identity-headers.js';
import { CREDENTIAL_HEADERS, DEFAULT_IDENTITY_HEADERS, type HeaderPolicy } from './request-headers.js';

const policies = new WeakMap<CompiledRoute, HeaderPolicy>();

/**
 * What a route removes from and sets on the backend request, made once per compiled route and
 * shared by its proxy stage and its WebSocket handshakes. Authorization goes on only where the
 * route asks for it (the backend may want the raw JWT); API keys never do.
 */
export function headerPolicyFor(route: CompiledRoute, config: GatewayConfig): HeaderPolicy {
  let policy = policies.get(route);
  if (!policy) {
    const names = identityHeaderNames(config);
    policy = {
      identityHeaders: new Set([...DEFAULT_IDENTITY_HEADERS, names.user, names.roles, names.method]),
      remove: new Set([...route.requestRemove, ...CREDENTIAL_HEADERS, ...(route.auth.forwardAuthorization ? [] : ['authorization'])]),
      set: route.requestSet,
    };
    policies.set(route, policy);
  }
  return policy;
}

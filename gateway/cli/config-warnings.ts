import type { GatewayConfig } from '../config/compile-config.js';

/**
 * What `gateway check` warns about: valid configs that may not mean what the operator thinks.
 * Each line names the route and what to make sure of.
 */
export function configWarnings(config: GatewayConfig): string[] {
  const warnings: string[] = [];
  for (const route of config.routes) {
    if (route.cache?.scope === 'shared' && route.auth.mode !== 'none') {
      warnings.push(`route "${route.id}" caches in scope shared behind authentication: every caller gets the answer the backend gave the first one; use it only where the backend answers the same for everyone (scope user or role otherwise)`);
    }
  }
  return warnings;
}

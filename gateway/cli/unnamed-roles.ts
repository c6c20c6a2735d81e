import type { CompiledRoute } from '../config/compile-config.js';

/**
 * The roles in `roles` that no route lists: most often a typo ("trade" for "trader"), which
 * would give a user or key access only to routes open to any authenticated caller.
 */
export function unnamedRoles(config: { readonly routes: readonly CompiledRoute[] }, roles: readonly string[]): string[] {
  const named = new Set<string>();
  for (const route of config.routes) for (const role of route.auth.roles ?? []) named.add(role);
  return roles.filter((role) => !named.has(role));
}

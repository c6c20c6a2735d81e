import type { CompiledRoute } from '../config/compile-config.js';

/**
 * The roles in `roles` that no route (nor the admin listener) lists: most often a typo ("trade" for "trader"), which
 * would give a user or key access only to routes open to any authenticated caller.
 */
export function unnamedRoles(config: { readonly routes: readonly CompiledRoute[]; readonly adminRoute?: CompiledRoute | null }, roles: readonly string[]): string[] {
  const named = new Set<string>();
  // The admin listener's role counts as named: it is what that listener admits.
  for (const route of [...config.routes, ...(config.adminRoute ? [config.adminRoute] : [])]) for (const role of route.auth.roles ?? []) named.add(role);
  return roles.filter((role) => !named.has(role));
}

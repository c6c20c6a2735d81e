import type { RawConfig } from '../schema.js';
import { withoutHsts } from './build-security-headers.js';
import { compileRoute, type CompiledRoute, type RouteAuth } from './compile-route.js';

/** The role every request to the admin listener needs (and the one that may revoke users' tokens). */
export const ADMIN_ROLE = 'admin';

/**
 * A token or an API key, either way with the admin role; the Authorization header never goes
 * further, so an API key may come in it too (a Prometheus scrape job's `authorization`).
 */
export const ADMIN_AUTH: RouteAuth = { mode: 'required', jwt: true, apiKey: true, roles: new Set([ADMIN_ROLE]), forwardAuthorization: false, apiKeyAsBearer: true };

/**
 * The admin listener's one route: every request to it is checked against this before anything
 * is routed (server/handle-admin-request.ts), and every answer carries its headers. null without
 * `listeners.admin` (or without `auth`, which validate-config refuses beside an admin listener).
 */
export function compileAdminRoute(raw: RawConfig, baseSecurity: readonly string[]): CompiledRoute | null {
  const admin = raw.listeners.admin;
  if (!admin || !raw.auth) return null;
  const route = compileRoute({
    id: 'gateway.admin', prefix: '/', target: 'gateway', websocket: false, timeouts: {}, headers: {}, auth: undefined, bodyLimit: 16 * 1024,
  }, raw, baseSecurity, true);
  return {
    ...route,
    auth: ADMIN_AUTH,
    // What an admin endpoint answers (config, stats, keys one day) is never for a cache to keep.
    defaultCacheControl: 'no-store',
    responseHeaders: admin.tls ? route.responseHeaders : withoutHsts(route.responseHeaders),
  };
}

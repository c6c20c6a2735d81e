import type { GatewayConfig } from '../config/compile-config.js';
import { ADMIN_ROLE } from '../config/compile-config.js';

/** "admin listener on http://127.0.0.1:9090 (role admin)" for `gateway check`; null without one. */
export function describeAdminListener(config: Pick<GatewayConfig, 'listeners'>): string | null {
  const admin = config.listeners.admin;
  if (!admin) return null;
  const host = admin.host.includes(':') ? `[${admin.host}]` : admin.host;
  return `admin listener on ${admin.tls ? 'https' : 'http'}://${host}:${admin.port} (role ${ADMIN_ROLE})`;
}

import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';

/**
 * "7 routes, plus 3 built-in: /healthz, /readyz, /api/auth/*": what the file declares apart from
 * what the gateway adds, so an operator can match the count against the YAML.
 */
export function summarizeRoutes(config: GatewayConfig): string {
  const added = config.routes.filter(isGatewayAdded);
  const declared = config.routes.length - added.length;
  const names = added.map((r) => (r.kind === 'prefix' ? `${r.path}/*` : r.path));
  return `${declared} route${declared === 1 ? '' : 's'}${added.length > 0 ? `, plus ${added.length} built-in: ${names.join(', ')}` : ''}`;
}

/**
 * Health probes carry the `builtin` flag; the token endpoints (present with `auth`) do not,
 * because they are rate-limited like any route, so they are told apart by their reserved id.
 */
function isGatewayAdded(r: CompiledRoute): boolean {
  return r.builtin || (r.target === 'gateway' && r.id === 'gateway.auth');
}

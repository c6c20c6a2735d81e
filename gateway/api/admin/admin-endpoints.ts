import type { Request, Response } from 'express';
import type { Principal } from '../../auth/principal.js';
import type { RequestContext } from '../../pipeline/request-context.js';

/** An admin request, authenticated with the admin role before any endpoint was chosen. */
export type AdminCall = RequestContext & { readonly principal: Principal };

/**
 * One endpoint of the admin listener. The admin app (create-admin-app.ts) does the wiring every
 * endpoint shares: JSON bodies, 405 with Allow for another method, the index at GET /admin,
 * problem+json for whatever `handle` throws (a GatewayError, or StoreUnavailableError: 503).
 */
export interface AdminEndpoint {
  readonly method: 'GET' | 'POST';
  /** The whole path on the admin listener (`/metrics` sits beside `/admin/...`). Exact: case and trailing slash count. */
  readonly path: string;
  /** One line for the index: what it does and, for a POST, the body it takes. */
  readonly summary: string;
  /** A POST's body arrives parsed in req.body (JSON, at most 16 KiB; undefined for any other type). */
  handle(req: Request, res: Response, call: AdminCall): Promise<void> | void;
}

/**
 * A set of endpoints built from what they use (the cache, later the metrics registry, the
 * running config, reload); build-admin-plane.ts lists the groups.
 */
export interface AdminEndpoints {
  /** Shown in the index beside each endpoint ("cache", "metrics" ...). */
  readonly group: string;
  readonly endpoints: readonly AdminEndpoint[];
}

import { GatewayError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import type { Fleet, WorkerRenew } from '../../server/fleet.js';
import type { CertStore } from '../../tls/cert-store.js';
import type { AdminEndpoints } from './admin-endpoints.js';

/**
 * POST /admin/acme/renew: an ACME renewal now, through the timer's own path (the store's order
 * lock, then the store and certDir), for a certificate that must be replaced before its window
 * (a key exposure, a CA's revocation notice). 202: started, not finished; the log's acme.issued
 * (or acme.failed) and the expiry metric say how it ended.
 */
export function acmeEndpoints(certs: () => CertStore, fleet: Fleet | null, logger: Logger): AdminEndpoints {
  return {
    group: 'tls',
    endpoints: [
      {
        method: 'POST',
        path: '/admin/acme/renew',
        summary: 'renew the ACME certificate now (202 with what started); 409 when an order is running or tls.mode is not acme',
        async handle(_req, res, call) {
          if (call.config.tls.mode !== 'acme') throw new GatewayError('acme.not_configured', `tls.mode is ${call.config.tls.mode}`);
          const store = certs();
          // Checked here first: a running order is answered 409 before any worker is asked.
          if (await store.orderRunning?.()) throw running();
          logger.info({ kind: 'admin', event: 'acme_renew', by: call.principal.id, request_id: call.requestId }, 'acme renewal requested');
          if (fleet !== null) {
            // Every worker looks now: one takes the lock and orders, the others take its pair from the store.
            const workers = await fleet.renewCertificate();
            const first = workers.find((w): w is Extract<WorkerRenew, { outcome: 'started' }> => w.outcome === 'started');
            if (first === undefined) throw running();
            res.status(202).json({ renewal: 'started', domains: call.config.tls.domains, serving: first.serving, workers });
            return;
          }
          const started = store.renewNow?.() ?? { started: false };
          if (!started.started) throw running();
          res.status(202).json({ renewal: 'started', domains: call.config.tls.domains, serving: started.serving });
        },
      },
    ],
  };
}

function running(): GatewayError {
  return new GatewayError('acme.order_running', 'an order for this certificate is running (or waiting out a failure\'s retry delay); its result will be in the log');
}

import { createServer, type Server } from 'node:http';
import type { GatewayConfig } from '../config/compile-config.js';
import { hostName } from '../pipeline/check-request.js';
import { normalizeTarget } from '../pipeline/normalize-path.js';

/**
 * Plain HTTP only sends clients to HTTPS: same host, path and query; 301 for GET/HEAD, 308
 * otherwise so the method and body survive. /.well-known/acme-challenge/ is left for ACME.
 */
/** `httpsPort`: the port clients reach HTTPS on (the bound port unless `redirectPort` says otherwise). */
export function createHttpRedirectListener(config: () => GatewayConfig, httpsPort: () => number): Server {
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 10_000, connectionsCheckingInterval: 1000, requireHostHeader: false }, (req, res) => {
    const cfg = config();
    const target = normalizeTarget(req.url ?? '');
    const host = hostName(req.headers.host ?? '');
    if (!target.ok || host === null || (cfg.hosts !== null && !cfg.hosts.has(host))) {
      res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' }).end('Bad request\n');
      return;
    }
    if (target.path.startsWith('/.well-known/acme-challenge/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    const port = cfg.listeners.http?.redirectPort ?? httpsPort();
    const authority = host.includes(':') ? `[${host}]` : host;
    const location = `https://${authority}${port === 443 ? '' : `:${port}`}${target.path}${target.query}`;
    const status = req.method === 'GET' || req.method === 'HEAD' ? 301 : 308;
    res.writeHead(status, { location, 'content-length': '0', 'cache-control': 'no-store' }).end();
  });
  return server;
}

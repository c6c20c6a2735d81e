/**
 * The floor to compare against: a Node HTTPS server that forwards every request to the backend
 * through an undici pool with no checks, no header rewriting and no logging. Not a product;
 * the gateway's overhead is measured as a ratio to this. Runs as its own process, like the
 * gateway, so both compete for the same two cores in the same way.
 *   node dist/bench/bare-proxy.js UPSTREAM_URL CERT_FILE KEY_FILE
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Pool, type Dispatcher } from 'undici';

const [upstream, certFile, keyFile] = process.argv.slice(2) as [string, string, string];
const pool = new Pool(upstream, { connections: 64 });
const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
  // undici refuses connection-level headers; dropping them is the least a proxy must do.
  const { connection: _c, 'keep-alive': _k, ...headers } = req.headers;
  pool.stream({ path: req.url!, method: req.method as Dispatcher.HttpMethod, headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req, opaque: res }, ({ statusCode, headers: h, opaque }) => {
    const out = opaque as typeof res;
    out.writeHead(statusCode, h as Record<string, string>);
    return out;
  }, (err) => {
    if (err && !res.headersSent) res.writeHead(502).end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: (server.address() as AddressInfo).port })}\n`);
});
process.once('SIGTERM', () => process.exit(0));

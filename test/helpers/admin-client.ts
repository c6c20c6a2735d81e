import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ClientResponse, GatewayHandle } from './gateway.js';

export interface AdminRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Over TLS, trusting the gateway's certificate (an admin listener with tls: true). */
  tls?: boolean;
}

/** One request to a gateway's admin listener (plain HTTP unless `tls`), on a fresh connection. */
export function adminRequest(gw: GatewayHandle, path: string, o: AdminRequestOptions = {}): Promise<ClientResponse> {
  if (gw.adminPort === undefined) throw new Error('this gateway has no admin listener');
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port: gw.adminPort, path, method: o.method ?? 'GET', headers: o.headers, agent: false as const };
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('close', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body, text: body.toString(), aborted: !res.complete,
          json: <T>() => JSON.parse(body.toString()) as T,
        });
      });
    };
    const req = o.tls ? httpsRequest({ ...options, ca: gw.ca, servername: 'localhost' }, onResponse) : httpRequest(options, onResponse);
    req.setTimeout(15_000, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(o.body);
  });
}

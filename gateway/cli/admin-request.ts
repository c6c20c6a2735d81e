import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { checkServerIdentity, rootCertificates, type PeerCertificate } from 'node:tls';
import type { GatewayConfig } from '../config/compile-config.js';

export interface AdminAnswer {
  status: number;
  body: unknown;
}

/**
 * One request from a shell to the admin listener FILE configures, with an API key: to 127.0.0.1
 * when it listens on every address. Over TLS the gateway's own certificate (the file pair, or the
 * self-signed one in certDir) is trusted as it is, whatever names it carries; another one must
 * pass the usual checks against the system's CAs.
 */
export function adminRequest(config: GatewayConfig<'strict' | 'optional'>, method: string, path: string, apiKey: string): Promise<AdminAnswer> {
  const at = config.listeners.admin!;
  const host = at.host === '0.0.0.0' ? '127.0.0.1' : at.host === '::' ? '::1' : at.host;
  const options = { host, port: at.port, method, path, headers: { 'x-api-key': apiKey, accept: 'application/json' }, timeout: 30_000 };
  return new Promise((resolve, reject) => {
    const onAnswer = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch { /* not JSON: shown as text */ }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    };
    const pinned = at.tls ? servedCertificate(config) : null;
    const req = at.tls
      ? httpsRequest({
        ...options,
        servername: 'localhost',
        ca: pinned === null ? undefined : [...rootCertificates, pinned.pem],
        checkServerIdentity: (name: string, cert: PeerCertificate) => (pinned !== null && cert.raw.equals(pinned.der) ? undefined : checkServerIdentity(name, cert)),
      }, onAnswer)
      : httpRequest(options, onAnswer);
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end();
  });
}

/** Where the gateway keeps the certificate it serves (tls/cert-store.ts), when that is a file FILE names. */
function servedCertificate(config: GatewayConfig<'strict' | 'optional'>): { pem: string; der: Buffer } | null {
  const file = config.tls.mode === 'files' ? config.tls.cert : config.tls.mode === 'self-signed' ? join(config.tls.certDir, 'self-signed-cert.pem') : null;
  if (file === null) return null;
  try {
    const pem = readFileSync(file, 'utf8');
    return { pem, der: new X509Certificate(pem).raw };
  } catch {
    return null;
  }
}

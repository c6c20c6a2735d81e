import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { freePort } from './free-port.js';
import { GATEWAY_BIN } from './paths.js';
import { jsonLines, spawnService, type Service } from './spawn-service.js';

/** A gateway in `tls.mode: acme`: its HTTP port is chosen first, since the CA must be told it. */
export interface AcmeGateway {
  readonly service: Service;
  readonly httpsPort: number;
  readonly httpPort: number;
  logs(): Record<string, unknown>[];
  /** Log lines of the ACME cert store with this event (acme.issued, acme.loaded ...). */
  events(event: string): Record<string, unknown>[];
  /** Writes `config` and sends SIGHUP; resolves with the reload's log line. */
  reload(config: string): Promise<Record<string, unknown>>;
  stop(): Promise<number | null>;
}

/** `email: null` leaves the contact out (it is optional). */
export function acmeConfig(o: { httpPort: number; directory: string; caBundle?: string; renewBefore?: string; store?: string; email?: string | null }): string {
  return `listeners:
  https: { host: 127.0.0.1, port: 0 }
  http: { host: 127.0.0.1, port: ${o.httpPort} }
hosts: [localhost]
tls:
  mode: acme
  domains: [localhost]
${o.email === null ? '' : `  email: ${o.email ?? 'ops@example.com'}\n`}  directory: ${o.directory}
${o.caBundle ? `  caBundle: ${o.caBundle}\n` : ''}${o.renewBefore ? `  renewBefore: ${o.renewBefore}\n` : ''}upstream:
  url: http://127.0.0.1:9
${o.store ?? ''}routes:
  - id: a
    path: /a
    auth: none
`;
}

export async function startAcmeGateway(dir: string, config: string): Promise<AcmeGateway> {
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(configFile, config);
  const service = spawnService(process.execPath, [GATEWAY_BIN, 'serve', '--config', configFile], { cwd: dir });
  const line = JSON.parse(await service.waitForLine((l) => l.includes('gateway listening'))) as { https_port: number; http_port: number };
  const logs = () => jsonLines(service.lines);
  return {
    service,
    httpsPort: line.https_port,
    httpPort: line.http_port,
    logs,
    events: (event) => logs().filter((l) => l.event === event),
    async reload(next) {
      writeFileSync(configFile, next);
      const before = service.lines.length;
      process.kill(service.pid, 'SIGHUP');
      const l = await service.waitForLine((x) => service.lines.indexOf(x) >= before && (x.includes('config reloaded') || x.includes('config rejected')));
      return JSON.parse(l) as Record<string, unknown>;
    },
    stop: () => service.stop(),
  };
}

export { freePort };

/** The leaf a TLS handshake with SNI `localhost` presents, and whether it chains to `ca`. */
export function presentedCert(port: number, ca: string): Promise<{ cert: PeerCertificate; authorized: boolean; error: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      const authorizationError = socket.authorizationError as Error | string | undefined;
      resolve({ cert, authorized: socket.authorized, error: authorizationError === undefined ? undefined : String(authorizationError) });
      socket.end();
    });
    socket.once('error', reject);
  });
}

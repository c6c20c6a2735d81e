import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { freePort } from './free-port.js';
import { spawnService, type Service } from './spawn-service.js';

export interface PebbleHandle {
  readonly service: Service;
  /** The ACME directory URL, for `tls.directory`. */
  readonly directory: string;
  /** The root that signed pebble's own HTTPS certificate, for `tls.caBundle`. */
  readonly caBundleFile: string;
  /** Pebble's issuing root (made anew at each start): what the certificates it issues chain to. */
  issuingRoot(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Debian's pebble (Let's Encrypt's test CA) on free loopback ports, validating HTTP-01 for real
 * against `httpPort` (the gateway's HTTP listener): no PEBBLE_VA_ALWAYS_VALID. The package ships
 * no test certificates, so pebble's own HTTPS runs on a root made here, given to the gateway
 * as its `caBundle`. `validitySeconds`: the life of the certificates it issues.
 */
export async function startPebble(o: { dir: string; httpPort: number; validitySeconds?: number }): Promise<PebbleHandle> {
  const root = await selfsigned.generate([{ name: 'commonName', value: 'pebble test root (made by the tests)' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }],
  });
  const leaf = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256', ca: { key: root.private, cert: root.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  const caBundleFile = join(o.dir, 'pebble-root.pem');
  writeFileSync(caBundleFile, root.cert);
  writeFileSync(join(o.dir, 'pebble-cert.pem'), leaf.cert);
  writeFileSync(join(o.dir, 'pebble-key.pem'), leaf.private, { mode: 0o600 });
  const [port, managementPort] = [await freePort(), await freePort()];
  const configFile = join(o.dir, 'pebble-config.json');
  writeFileSync(configFile, JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${port}`,
      managementListenAddress: `127.0.0.1:${managementPort}`,
      certificate: join(o.dir, 'pebble-cert.pem'),
      privateKey: join(o.dir, 'pebble-key.pem'),
      httpPort: o.httpPort,
      tlsPort: 0,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
      ...(o.validitySeconds ? { certificateValidityPeriod: o.validitySeconds } : {}),
    },
  }));
  const service = spawnService(pebblePath(), ['-config', configFile], {
    cwd: o.dir,
    // No random sleeps before validating, no nonces refused for practice; validation stays real.
    env: { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_VA_ALWAYS_VALID: undefined, PEBBLE_AUTHZREUSE: '0' },
  });
  await service.waitForLine((l) => l.includes(`Listening on: 127.0.0.1:${port}`));
  return {
    service,
    directory: `https://127.0.0.1:${port}/dir`,
    caBundleFile,
    issuingRoot: () => fetchText(`https://127.0.0.1:${managementPort}/roots/0`, root.cert),
    async stop() {
      await service.stop();
    },
  };
}

function pebblePath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v pebble'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('pebble is not installed: run the README test command (scripts/test.sh installs it), or apt-get install pebble');
  }
}

function fetchText(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`))));
    }).on('error', reject);
  });
}

import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { GATEWAY_BIN } from './paths.js';
import { jsonLines, spawnService, type Service } from './spawn-service.js';
import { removeTempDir, tempDir } from './temp-dir.js';
import { startMock, type MockHandle } from './upstream-mock.js';

type MockOptions = Parameters<typeof startMock>[0];

export interface GatewayHandle {
  readonly service: Service;
  readonly dir: string;
  readonly configFile: string;
  readonly httpsPort: number;
  readonly httpPort: number | undefined;
  /** The admin listener's port, when the config has one. */
  readonly adminPort: number | undefined;
  /** The self-signed certificate the gateway made, to trust in clients. */
  readonly ca: string;
  request(path: string, options?: ClientRequestOptions): Promise<ClientResponse>;
  raw(bytes: string | Buffer, waitMs?: number): Promise<string>;
  logs(): Record<string, unknown>[];
  writeConfig(yaml: string): void;
  /** SIGHUP, then waits for the reload log line. */
  reload(): Promise<Record<string, unknown>>;
  stop(): Promise<number | null>;
}

export interface ClientRequestOptions {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer | NodeJS.ReadableStream;
  /** Override the TLS client options (versions, ciphers). */
  tls?: Partial<RequestOptions>;
  timeoutMs?: number;
}

export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
  /** true when the connection broke before the response ended. */
  aborted: boolean;
}

/** The routes most tests share; `${UPSTREAM_URL}` is the mock. */
export const BASE_CONFIG = `
listeners:
  https: { host: 127.0.0.1, port: 0 }
  http: { host: 127.0.0.1, port: 0 }
tls:
  mode: self-signed
upstream:
  url: \${UPSTREAM_URL}
  connectTimeout: 1s
  headersTimeout: 2s
  bodyTimeout: 2s
log:
  level: info
routes:
  - id: health
    auth: none
    path: /health
    methods: [GET]
  - id: dashboard
    auth: none
    prefix: /api/dashboard
    methods: [GET]
  - id: portfolio
    auth: none
    path: /api/portfolio
    methods: [GET]
  - id: orders
    auth: none
    path: /api/trading/orders
    methods: [GET, POST]
    bodyLimit: 64kb
  - id: docs
    auth: none
    prefix: /api/docs
    methods: [GET]
    securityHeaders:
      contentSecurityPolicy: "default-src 'none'; script-src 'self'; style-src 'self'"
  - id: echo
    auth: none
    prefix: /__mock/echo
    bodyLimit: 200mb
  - id: download
    auth: none
    path: /__mock/download
    methods: [GET]
  - id: prices-ws
    auth: none
    path: /ws/prices
    methods: [GET]
    websocket: true
`;

export async function startGateway(options: { config?: string; env?: NodeJS.ProcessEnv; upstreamUrl: string; dir?: string }): Promise<GatewayHandle> {
  const dir = options.dir ?? tempDir('gw-test-');
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(configFile, options.config ?? BASE_CONFIG);
  const service = spawnService(process.execPath, [GATEWAY_BIN, 'serve', '--config', configFile], {
    cwd: dir,
    env: { UPSTREAM_URL: options.upstreamUrl, ...options.env },
  });
  const line = JSON.parse(await service.waitForLine((l) => l.includes('gateway listening'))) as { https_port: number; http_port?: number; admin_port?: number };
  const ca = readFileSync(join(dir, 'certs', 'self-signed-cert.pem'), 'utf8');
  const httpsPort = line.https_port;

  const handle: GatewayHandle = {
    service, dir, configFile, httpsPort, httpPort: line.http_port, adminPort: line.admin_port, ca,
    request: (path, o = {}) => clientRequest(httpsPort, ca, path, o),
    raw: (bytes, waitMs) => rawTls(httpsPort, ca, bytes, waitMs),
    logs: () => jsonLines(service.lines),
    writeConfig: (yaml) => writeFileSync(configFile, yaml),
    async reload() {
      const before = service.lines.length;
      process.kill(service.pid, 'SIGHUP');
      const l = await service.waitForLine((x) => service.lines.indexOf(x) >= before && (x.includes('config reloaded') || x.includes('config rejected')));
      return JSON.parse(l) as Record<string, unknown>;
    },
    /** Stops the gateway; throws if it had crashed earlier or did not exit 0 on SIGTERM. */
    async stop() {
      const code = await service.stop();
      if (!options.dir) removeTempDir(dir);
      if (code !== 0) throw new Error(`gateway exited with ${code}:\n${service.stderr.join('\n')}`);
      return code;
    },
  };
  return handle;
}

export function clientRequest(port: number, ca: string, path: string, o: ClientRequestOptions = {}): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    let responded = false;
    const req = httpsRequest({
      host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: o.headers, ca, servername: 'localhost',
      agent: false, ...o.tls,
    }, (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      let aborted = false;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => { aborted = true; });
      res.on('error', () => { aborted = true; });
      res.on('close', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body, text: body.toString(), aborted: aborted || !res.complete,
          json: <T>() => JSON.parse(body.toString()) as T,
        });
      });
    });
    req.setTimeout(o.timeoutMs ?? 15_000, () => req.destroy(new Error('client timeout')));
    // A server may answer early (413) and stop reading: a write error after its answer is the
    // client's upload being cut, as curl reports it, not a failed request.
    req.on('error', (err) => {
      if (!responded) reject(err);
    });
    if (o.body === undefined) req.end();
    else if (typeof o.body === 'string' || Buffer.isBuffer(o.body)) req.end(o.body);
    else o.body.pipe(req);
  });
}

/** Raw bytes over TLS; resolves with everything the gateway sent before closing or `waitMs`. */
export function rawTls(port: number, ca: string, bytes: string | Buffer, waitMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => {
      if (chunks.length === 0) reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

export function statusOf(rawResponse: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(rawResponse)?.[1] ?? 0);
}

/** The mock and a gateway in front of it: the set-up most suites share. */
export async function startMockAndGateway(options: { config?: string; mock?: MockOptions } = {}): Promise<{ mock: MockHandle; gw: GatewayHandle }> {
  const mock = await startMock(options.mock);
  try {
    return { mock, gw: await startGateway({ upstreamUrl: mock.url, config: options.config }) };
  } catch (err) {
    await mock.stop();
    throw err;
  }
}

/** Stops what a suite started, gateway first; a crashed gateway still fails the suite. */
export async function stopAll(gw: GatewayHandle | undefined, mock: MockHandle | undefined): Promise<void> {
  try {
    await gw?.stop();
  } finally {
    await mock?.stop();
  }
}

/** Redis, the mock and two gateways on that Redis, as several instances behind a load balancer. */
export interface SharedPair {
  redis: import('./redis-server.js').RedisHandle;
  mock: MockHandle;
  a: GatewayHandle;
  b: GatewayHandle;
}

/** `config` gets the `store:` section that points at the pair's Redis, to append to its YAML. */
export async function startPairOnRedis(config: (storeSection: string) => string): Promise<SharedPair> {
  const { startRedis } = await import('./redis-server.js');
  const redis = await startRedis();
  try {
    return { redis, ...await startPairOnStore(config(`store:\n  redis: { url: "${redis.url}" }\n`)) };
  } catch (err) {
    await redis.stop();
    throw err;
  }
}

/** The mock and two gateways on one config whose store the caller started (a Redis Cluster, a Sentinel). */
export async function startPairOnStore(yaml: string): Promise<{ mock: MockHandle; a: GatewayHandle; b: GatewayHandle }> {
  let mock: MockHandle | undefined;
  let a: GatewayHandle | undefined;
  try {
    mock = await startMock();
    a = await startGateway({ upstreamUrl: mock.url, config: yaml });
    const b = await startGateway({ upstreamUrl: mock.url, config: yaml });
    return { mock, a, b };
  } catch (err) {
    // A half-started pair is stopped here: the suite's after() only sees a whole one.
    await stopAll(a, mock).catch(() => {});
    throw err;
  }
}

/** A three-master Redis Cluster, the mock and two gateways on it. */
export interface ClusterPair {
  cluster: import('./redis-cluster.js').RedisClusterHandle;
  mock: MockHandle;
  a: GatewayHandle;
  b: GatewayHandle;
}

/** `config` gets the `store:` section naming the Cluster's nodes. */
export async function startPairOnCluster(config: (storeSection: string) => string): Promise<ClusterPair> {
  const { startRedisCluster } = await import('./redis-cluster.js');
  const cluster = await startRedisCluster();
  try {
    return { cluster, ...await startPairOnStore(config(cluster.storeSection())) };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

export async function stopClusterPair(p: ClusterPair | undefined): Promise<void> {
  if (!p) return;
  try {
    await p.b.stop();
    await stopAll(p.a, p.mock);
  } finally {
    await p.cluster.stop();
  }
}

/** Stops a pair; the Redis handle may have been replaced by a restart during the test. */
export async function stopPair(p: SharedPair | undefined): Promise<void> {
  if (!p) return;
  try {
    await p.b.stop();
    await stopAll(p.a, p.mock);
  } finally {
    await p.redis.stop();
  }
}

/** Redis, the mock and one gateway running `workers: 2` on that Redis. */
export interface WorkersOnRedis {
  redis: import('./redis-server.js').RedisHandle;
  mock: MockHandle;
  gw: GatewayHandle;
  /** The YAML it started with (to write changed versions of for reloads). */
  config: string;
}

/**
 * `config` gets the `store:` section to put in its YAML; the admin listener is given a fixed port
 * (every worker listens on the same one, and `gateway reload` finds it by the file). Resolves
 * once every worker listens.
 */
export async function startWorkersOnRedis(config: (storeSection: string) => string): Promise<WorkersOnRedis> {
  const { startRedis } = await import('./redis-server.js');
  const { freePort } = await import('./free-port.js');
  const redis = await startRedis();
  let mock: MockHandle | undefined;
  try {
    mock = await startMock();
    const yaml = `${config(`store:\n  redis: { url: "${redis.url}" }\n`)
      .replace('  http: { host: 127.0.0.1, port: 0 }\n', `  http: { host: 127.0.0.1, port: 0 }\n  admin: { port: ${await freePort()} }\n`)}workers: 2\n`;
    const gw = await startGateway({ upstreamUrl: mock.url, config: yaml });
    await gw.service.waitForLine((l) => l.includes('all workers listening'));
    return { redis, mock, gw, config: yaml };
  } catch (err) {
    await mock?.stop().catch(() => {});
    await redis.stop();
    throw err;
  }
}

export async function stopWorkersOnRedis(w: WorkersOnRedis | undefined): Promise<void> {
  if (!w) return;
  try {
    await w.gw.stop();
  } finally {
    await w.mock.stop();
    await w.redis.stop();
  }
}

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { serveDocs } from './docs-page.js';
import { FaultTable, type Fault } from './faults.js';
import { createLatencyModel, type Profile } from './latency-model.js';
import { respondToWrite } from './respond-to-writes.js';
import { json, TradingApi } from './trading-api.js';

export interface RecordedRequest {
  method: string;
  path: string;
  rawHeaders: string[];
  bodyBytes: number;
}

export interface MockOptions {
  profile: Profile;
  seed: number;
  tickMs: number;
}

/**
 * The simulated legacy backend. It knows nothing of the gateway. Test-only controls live under
 * /__mock/: counters, last requests, faults, echo, a response shaped by the query (also to
 * POST/PUT/PATCH/DELETE, counted: respond-to-writes.ts), large download (of any type, counting
 * what it has written) and upload; and two WebSocket paths besides /ws/prices: /ws/silent (never
 * answers the handshake), /ws/refused (answers it 400) and /ws/stalled (answers 403 and never
 * finishes the body).
 */
export function createMockServer(options: MockOptions): Server {
  const api = new TradingApi();
  const faults = new FaultTable();
  const latency = createLatencyModel(options.profile, options.seed);
  const counters = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const last = new Map<string, RecordedRequest>();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mock.invalid');
    const path = url.pathname;
    if (path.startsWith('/__mock/')) return void mockAdmin(req, res, url);

    const key = `${req.method} ${path}`;
    counters.set(key, (counters.get(key) ?? 0) + 1);
    const fault = faults.take(req.method ?? 'GET', path);
    if (fault?.kind === 'reset-before') return void req.socket.destroy();
    if (fault?.kind === 'malformed') {
      req.socket.end('HTTP/1.1 abc definitely-not-http\r\nX: \u0000\r\n\r\n');
      return;
    }

    readBody(req, (body) => {
      last.set(path, { method: req.method ?? '', path: req.url ?? '', rawHeaders: req.rawHeaders, bodyBytes: body.length });
      const delay = (fault?.kind === 'delay' ? fault.ms ?? 0 : 0) + latency(path);
      const respond = () => {
        if (fault?.kind === 'status') return void json(res, fault.status ?? 500, { detail: 'Internal Server Error' });
        if (fault?.kind === 'reset-mid-body') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(fault.bytes ?? 1000), server: 'uvicorn' });
          res.write('{"partial": "');
          setTimeout(() => req.socket.destroy(), 20);
          return;
        }
        if (serveDocs(res, path)) return;
        if (!api.handle(req, res, path, url.searchParams, body)) json(res, 404, { detail: 'Not Found' });
      };
      if (delay > 0) setTimeout(respond, delay);
      else respond();
    });
  });
  // uvicorn's default: idle keep-alive sockets close after 5 s.
  server.keepAliveTimeout = 5000;

  function mockAdmin(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /__mock/counters') return void json(res, 200, Object.fromEntries(counters));
    if (route === 'GET /__mock/last') {
      const found = last.get(url.searchParams.get('path') ?? '');
      return void json(res, found ? 200 : 404, found ?? { detail: 'no request seen on that path' });
    }
    if (route === 'POST /__mock/reset') {
      counters.clear();
      last.clear();
      faults.clear();
      return void json(res, 200, { reset: true });
    }
    if (route === 'GET /__mock/download') return download(res, url.searchParams, (sent) => counters.set('SENT /__mock/download', sent));
    if (url.pathname === '/__mock/echo' || url.pathname.startsWith('/__mock/echo/')) return echo(req, res);
    if ((req.method === 'GET' || req.method === 'HEAD') && url.pathname.startsWith('/__mock/respond')) {
      // Counted per path, so cache tests can prove what reached the backend.
      const key = `${req.method} ${url.pathname}`;
      counters.set(key, (counters.get(key) ?? 0) + 1);
      last.set(url.pathname, { method: req.method, path: req.url ?? '', rawHeaders: req.rawHeaders, bodyBytes: 0 });
      const ms = Number(url.searchParams.get('delay') ?? '0');
      if (ms > 0) {
        // How many were answered at once at most (MAXCONC <path>): whether a gateway queued them.
        const now = (inFlight.get(url.pathname) ?? 0) + 1;
        inFlight.set(url.pathname, now);
        counters.set(`MAXCONC ${url.pathname}`, Math.max(counters.get(`MAXCONC ${url.pathname}`) ?? 0, now));
        return void setTimeout(() => {
          inFlight.set(url.pathname, (inFlight.get(url.pathname) ?? 1) - 1);
          respondAsAsked(req, res, url.searchParams);
        }, ms);
      }
      return respondAsAsked(req, res, url.searchParams);
    }
    if (respondToWrite(req, res, url, (key) => counters.set(key, (counters.get(key) ?? 0) + 1), (r, q) => respondAsAsked(req, r, q))) return;
    if (route === 'POST /__mock/faults') {
      return readBody(req, (body) => {
        try {
          faults.arm(JSON.parse(body.toString()) as Fault);
          json(res, 201, { armed: true });
        } catch (err) {
          json(res, 400, { detail: (err as Error).message });
        }
      });
    }
    json(res, 404, { detail: 'Not Found' });
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://mock.invalid');
    const key = `WS ${url.pathname}`;
    counters.set(key, (counters.get(key) ?? 0) + 1);
    last.set(url.pathname, { method: 'GET', path: req.url ?? '', rawHeaders: req.rawHeaders, bodyBytes: 0 });
    if (url.pathname === '/ws/silent') return void holdUnanswered(socket);
    if (url.pathname === '/ws/refused') return void socket.end(REFUSED_HANDSHAKE);
    if (url.pathname === '/ws/stalled') return void stallRefusal(socket, counters);
    if (url.pathname !== '/ws/prices') return void socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const symbols = (url.searchParams.get('symbols') ?? 'BTC,ETH').split(',');
      const timer = setInterval(() => ws.send(JSON.stringify({ type: 'prices', prices: api.prices(symbols) })), options.tickMs);
      ws.on('message', (data) => {
        if (data.toString() === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
      });
      ws.on('close', () => clearInterval(timer));
    });
  });
  server.on('close', () => wss.close());
  return server;
}

/** A handshake on /ws/silent: connected, read, never answered; let go only when the other side goes. */
function holdUnanswered(socket: Duplex): void {
  socket.on('error', () => socket.destroy());
  socket.once('end', () => socket.destroy());
}

/** /ws/refused: what a web framework answers to a handshake it will not take, chunked, with its own Server. */
const REFUSED_BODY = '{"detail":"bad handshake"}';
const REFUSED_HANDSHAKE = 'HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n'
  + 'server: uvicorn\r\nx-powered-by: mock\r\nx-backend-note: kept\r\n\r\n'
  + `${REFUSED_BODY.length.toString(16)}\r\n${REFUSED_BODY}\r\n0\r\n\r\n`;

/** /ws/stalled: a refusal whose chunked body never ends; counts the sockets the gateway lets go. */
function stallRefusal(socket: Duplex, counters: Map<string, number>): void {
  socket.on('error', () => socket.destroy());
  socket.once('end', () => socket.destroy()); // the gateway's side closed: so does ours
  socket.once('close', () => counters.set('WS-CLOSED /ws/stalled', (counters.get('WS-CLOSED /ws/stalled') ?? 0) + 1));
  socket.write('HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n5\r\nno, a\r\n');
}

function readBody(req: IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => done(Buffer.concat(chunks)));
  req.on('error', () => req.socket.destroy());
}

/** Streams the body through a hash: a 100 MB upload costs no memory here either. */
function echo(req: IncomingMessage, res: ServerResponse): void {
  const hash = createHash('sha256');
  let bytes = 0;
  req.on('data', (c: Buffer) => {
    bytes += c.length;
    hash.update(c);
  });
  req.on('end', () => json(res, 200, { method: req.method, url: req.url, headers: req.headers, raw_headers: req.rawHeaders, body_bytes: bytes, sha256: hash.digest('hex') }));
}

/**
 * A response shaped by the query, for tests of what the gateway does with backend headers, on
 * /__mock/respond and any path below it: `status`, `header=name:value` (repeatable), `body`,
 * `repeat=n` (n copies of the body), `delay=ms`. With an `etag` header asked for, a matching
 * If-None-Match gets 304; `cl304=1` keeps the 200's Content-Length on it (RFC 9110 8.6 allows
 * that: it is the length the 200 would have had, with no content following); `h304=name:value`
 * sets a field on the 304 only. With `delay`, counter `MAXCONC <path>` is the most answered at once.
 */
function respondAsAsked(req: IncomingMessage, res: ServerResponse, q: URLSearchParams): void {
  const body = (q.get('body') ?? '{"ok":true}').repeat(Number(q.get('repeat') ?? '1'));
  const headers: [string, string][] = [['content-type', 'application/json'], ['content-length', String(Buffer.byteLength(body))]];
  for (const h of q.getAll('header')) {
    const colon = h.indexOf(':');
    if (colon <= 0) continue;
    const name = h.slice(0, colon).trim();
    // A Content-Type asked for replaces the default one rather than adding a second.
    if (name.toLowerCase() === 'content-type') headers.shift();
    headers.push([name, h.slice(colon + 1).trim()]);
  }
  const etag = headers.find(([name]) => name.toLowerCase() === 'etag')?.[1];
  if (etag !== undefined && req.headers['if-none-match'] === etag) {
    const keepLength = q.get('cl304') === '1';
    const on304 = headers.filter(([name]) => (keepLength || name !== 'content-length') && name !== 'content-type');
    // `h304=name:value`: a field the 304 says differently (another ETag, no-store ...).
    for (const h of q.getAll('h304')) {
      const colon = h.indexOf(':');
      if (colon <= 0) continue;
      const name = h.slice(0, colon).trim().toLowerCase();
      const at = on304.findIndex(([n]) => n.toLowerCase() === name);
      if (at >= 0) on304.splice(at, 1);
      on304.push([name, h.slice(colon + 1).trim()]);
    }
    res.writeHead(304, on304.flat());
    return void res.end();
  }
  res.writeHead(Number(q.get('status') ?? '200'), headers.flat());
  res.end(body);
}

const REPEATED = Buffer.alloc(64 * 1024, 'abcdefghijklmnopqrstuvwxyz0123456789');
let hexChunk: Buffer | undefined;
/** 64 KB of hex digits with no repeats inside deflate's 32 KB window: compresses to about half, deterministically. */
function hexText(): Buffer {
  hexChunk ??= Buffer.from(Array.from({ length: 1024 }, (_, i) => createHash('sha256').update(String(i)).digest('hex')).join(''));
  return hexChunk;
}

/**
 * `bytes` deterministic bytes, written with backpressure; `type` sets the Content-Type
 * (default application/octet-stream), `fill=hex` sends hex text instead of a short repeated
 * pattern. How many bytes have been written so far goes to `sent` (the counter
 * `SENT /__mock/download`), so a test can see a slow reader hold the writer back.
 */
function download(res: ServerResponse, q: URLSearchParams, sent: (bytes: number) => void): void {
  const total = Number(q.get('bytes') ?? '0');
  const chunk = q.get('fill') === 'hex' ? hexText() : REPEATED;
  res.writeHead(200, { 'content-type': q.get('type') ?? 'application/octet-stream', 'content-length': String(total), server: 'uvicorn' });
  let written = 0;
  const pump = () => {
    while (written < total) {
      const n = Math.min(chunk.length, total - written);
      written += n;
      sent(written);
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

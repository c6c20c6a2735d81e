import { STATUS_CODES, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';
import { destroyAfterLinger, GatewayError } from '../errors.js';

/** Called once per handshake: the backend's status, or the error that left the client unanswered. */
export type HandshakeAnswered = (err: Error | null, status: number) => void;

/** What one handshake may wait for, and what the client gets instead of the backend's headers. */
export interface HandshakeOptions {
  /** Milliseconds to connect to the backend (the upstream's `connectTimeout`). */
  readonly connectTimeout: number;
  /** Milliseconds from connected to the backend's answer (the route's `headersTimeout`). */
  readonly headersTimeout: number;
  /** Milliseconds for the body of an answer that is not a 101 (the route's `bodyTimeout`). */
  readonly bodyTimeout: number;
  /** The header object http-proxy writes to the client, made from the backend's; called before it writes. */
  answerHeaders(status: number, backend: IncomingHttpHeaders): Record<string, string | string[]>;
}

/**
 * The one owner of http-proxy: WebSocket upgrades on routes that allow them. The caller has
 * already checked the request, normalized the URL and rewritten the headers; http-proxy only
 * pipes the two sockets.
 */
export interface WebSocketProxy {
  /**
   * A backend's 101 is relayed and the sockets piped; any other answer is relayed (with the
   * headers `answerHeaders` makes) and the client socket let go once it is written. No answer
   * within the timeouts is an `upstream.connect_timeout` / `upstream.timeout` error and the
   * backend request is destroyed. An error before the backend answered reaches `answered`
   * while the client socket is still open (http-proxy ends it right after); errors after that
   * are not reported: the bytes on the socket are the backend's by then, and http-proxy closes
   * both ends. A client that leaves before the answer gets `answered(null, 0)` and its backend
   * request is destroyed.
   */
  forward(req: IncomingMessage, socket: Duplex, head: Buffer, options: HandshakeOptions, answered: HandshakeAnswered): void;
  close(): void;
}

interface Pending {
  readonly options: HandshakeOptions;
  readonly answered: HandshakeAnswered;
}

export function createWebSocketProxy(origin: string): WebSocketProxy {
  const target = origin.replace(/^http/, 'ws');
  // xfwd off: the forwarding headers are ours, set before this is called. No proxyTimeout: once
  // upgraded a WebSocket may idle for hours; the wait for the answer has its own timers below.
  const proxy = httpProxy.createProxyServer({ target, ws: true, xfwd: false, changeOrigin: false, proxyTimeout: 0 });
  const waiting = new WeakMap<IncomingMessage, Pending>();
  const settle = (req: IncomingMessage, err: Error | null, status: number) => {
    const pending = waiting.get(req);
    if (pending === undefined) return;
    waiting.delete(req);
    pending.answered(err, status);
  };
  // http-proxy emits this before it adds its own listeners to proxyReq (passes/ws-incoming.js,
  // stream()): ours run first, so the status is known and res.headers (the object its
  // createHttpHeader serializes) is ours before it writes the answer.
  proxy.on('proxyReqWs', (proxyReq: ClientRequest, req: IncomingMessage, socket: Duplex) => {
    const pending = waiting.get(req);
    if (pending === undefined) return;
    const { options } = pending;
    // Destroying with the error makes http-proxy report it (to forward's callback) and end the client socket.
    const fail = (code: 'upstream.connect_timeout' | 'upstream.timeout') => proxyReq.destroy(new GatewayError(code));
    let timer: NodeJS.Timeout | undefined;
    proxyReq.once('socket', (backend: Socket) => {
      if (!backend.connecting) {
        timer = setTimeout(fail, options.headersTimeout, 'upstream.timeout');
        return;
      }
      timer = setTimeout(fail, options.connectTimeout, 'upstream.connect_timeout');
      backend.once('connect', () => {
        clearTimeout(timer);
        timer = setTimeout(fail, options.headersTimeout, 'upstream.timeout');
      });
    });
    proxyReq.once('close', () => clearTimeout(timer));
    const leftEarly = () => {
      if (!waiting.has(req)) return;
      settle(req, null, 0);
      proxyReq.destroy();
    };
    socket.once('close', leftEarly);

    proxyReq.once('upgrade', (res: IncomingMessage) => {
      clearTimeout(timer);
      socket.off('close', leftEarly);
      res.headers = options.answerHeaders(101, res.headers);
      settle(req, null, 101);
    });
    proxyReq.once('response', (res: IncomingMessage) => {
      clearTimeout(timer);
      socket.off('close', leftEarly);
      const status = res.statusCode ?? 0;
      res.headers = options.answerHeaders(status, res.headers);
      // The reason phrase is the backend's text; ours is the standard one.
      res.statusMessage = STATUS_CODES[status] ?? '';
      // http-proxy pipes the body and then only ends (half-closes) the client socket; a
      // client that never closes its side must not hold it (as errors.ts sendRawProblem).
      socket.once('finish', () => destroyAfterLinger(socket));
      // A body cut short never ends the pipe: nothing more will come, let go now.
      res.once('close', () => {
        clearTimeout(stalled);
        if (!res.complete) socket.destroy();
      });
      // A backend that stalls the body, or a client that leaves, must hold neither socket
      // (second outside review: both stayed open, the backend one after the client had gone).
      // res.destroy() alone leaves the backend connection open (measured): close it too.
      const release = () => {
        res.destroy();
        res.socket?.destroy();
      };
      const stalled = setTimeout(release, options.bodyTimeout);
      socket.once('close', release);
      settle(req, null, status);
    });
  });
  return {
    forward(req, socket, head, options, answered) {
      waiting.set(req, { options, answered });
      proxy.ws(req, socket, head, {}, (err: Error) => settle(req, err, 0));
    },
    close() {
      proxy.close();
    },
  };
}

import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';

/** Called once per handshake: the backend's status, or the error that left the client unanswered. */
export type HandshakeAnswered = (err: Error | null, status: number) => void;

/**
 * The one owner of http-proxy: WebSocket upgrades on routes that allow them. The caller has
 * already checked the request, normalized the URL and rewritten the headers; http-proxy only
 * pipes the two sockets.
 */
export interface WebSocketProxy {
  /**
   * A backend's 101 is relayed and the sockets piped; any other answer is relayed as it came.
   * An error before the backend answered reaches `answered` while the client socket is still
   * open (http-proxy ends it right after); errors after that are not reported: the bytes on
   * the socket are the backend's by then, and http-proxy closes both ends.
   */
  forward(req: IncomingMessage, socket: Duplex, head: Buffer, answered: HandshakeAnswered): void;
  close(): void;
}

export function createWebSocketProxy(origin: string): WebSocketProxy {
  const target = origin.replace(/^http/, 'ws');
  // xfwd off: the forwarding headers are ours, set before this is called.
  const proxy = httpProxy.createProxyServer({ target, ws: true, xfwd: false, changeOrigin: false, proxyTimeout: 0 });
  const waiting = new WeakMap<IncomingMessage, HandshakeAnswered>();
  const settle = (req: IncomingMessage, err: Error | null, status: number) => {
    const answered = waiting.get(req);
    if (answered === undefined) return;
    waiting.delete(req);
    answered(err, status);
  };
  // Emitted before http-proxy adds its own listeners, so the status is known before it writes the answer.
  proxy.on('proxyReqWs', (proxyReq: ClientRequest, req: IncomingMessage) => {
    proxyReq.once('upgrade', () => settle(req, null, 101));
    proxyReq.once('response', (res: IncomingMessage) => settle(req, null, res.statusCode ?? 0));
  });
  return {
    forward(req, socket, head, answered) {
      waiting.set(req, answered);
      proxy.ws(req, socket, head, {}, (err: Error) => settle(req, err, 0));
    },
    close() {
      proxy.close();
    },
  };
}

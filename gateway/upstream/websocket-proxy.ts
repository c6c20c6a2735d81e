import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';

/**
 * The one owner of http-proxy: WebSocket upgrades on routes that allow them. The caller has
 * already checked the request, normalized the URL and rewritten the headers; http-proxy only
 * pipes the two sockets.
 */
export interface WebSocketProxy {
  forward(req: IncomingMessage, socket: Duplex, head: Buffer, onError: (err: Error) => void): void;
  close(): void;
}

export function createWebSocketProxy(origin: string): WebSocketProxy {
  const target = origin.replace(/^http/, 'ws');
  // xfwd off: the forwarding headers are ours, set before this is called.
  const proxy = httpProxy.createProxyServer({ target, ws: true, xfwd: false, changeOrigin: false, proxyTimeout: 0 });
  return {
    forward(req, socket, head, onError) {
      proxy.ws(req, socket, head, {}, (err: Error) => onError(err));
    },
    close() {
      proxy.close();
    },
  };
}

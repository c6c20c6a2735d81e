import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { GatewayHandle } from './gateway.js';

/**
 * A TLS client that writes `bytes` and never closes its side (allowHalfOpen): what the gateway
 * answers arrives in `answer` when the gateway ends its side; letting go is the gateway's job.
 */
export function halfOpenClient(gw: GatewayHandle, bytes: string): Promise<{ socket: TLSSocket; answer: Promise<string> }> {
  return new Promise((resolve, reject) => {
    // tls.connect passes allowHalfOpen to the socket; @types/node does not list it.
    const options: ConnectionOptions & { allowHalfOpen: boolean } = { host: '127.0.0.1', port: gw.httpsPort, ca: gw.ca, servername: 'localhost', allowHalfOpen: true };
    const socket = connect(options, () => {
      socket.write(bytes);
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      resolve({ socket, answer: new Promise((done) => socket.once('end', () => done(Buffer.concat(chunks).toString('latin1')))) });
    });
    socket.once('error', reject);
  });
}

/** A WebSocket handshake's request head for `path`, with `extra` header lines ("Name: value\r\n"). */
export function handshakeBytes(path: string, extra = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`
    + `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;
}

import { createConnection, type Socket } from 'node:net';

/** Raw bytes over plain TCP; everything received until the server closes (or `waitMs`). */
export function plainTcp(port: number, bytes: string, waitMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

/** A TCP connection that sends nothing: what it receives, once the server closes it. */
export function silentTcp(port: number): Promise<{ socket: Socket; closed: Promise<Buffer> }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.off('error', reject).on('error', () => { /* a reset is one way to be closed */ });
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      resolve({ socket, closed: new Promise((done) => socket.once('close', () => done(Buffer.concat(chunks)))) });
    });
    socket.once('error', reject);
  });
}

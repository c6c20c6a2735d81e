import type { Readable } from 'node:stream';

/**
 * The longest password read, in UTF-8 bytes. Far above any passphrase, and argon2 hashes any
 * length to the same size; without it a pipe without a newline is read whole into memory (a
 * 20 MB one took 220 MB).
 */
export const MAX_PASSWORD_BYTES = 1024;

/**
 * A password from standard input: prompted without echo on a terminal, otherwise the first
 * line of the pipe (`printf '%s\n' "$PW" | gateway users add ...`). Never from argv, where
 * `ps` and shell history would show it. null when it is longer than MAX_PASSWORD_BYTES: reading
 * stops there.
 */
export async function readPassword(prompt: string): Promise<string | null> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return firstLine(stdin, MAX_PASSWORD_BYTES);
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  let value = '';
  return new Promise((resolve, reject) => {
    const finish = (result: string | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      resolve(result);
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(value);
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          return reject(new Error('cancelled'));
        }
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
        if (Buffer.byteLength(value) > MAX_PASSWORD_BYTES) return finish(null);
      }
    };
    stdin.on('data', onData);
  });
}

/** The bytes before the first LF (a CR before it dropped), or null past `max` bytes, read no further. */
export async function firstLine(input: Readable, max: number): Promise<string | null> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    const lf = buf.indexOf(0x0a);
    const part = lf >= 0 ? buf.subarray(0, lf) : buf;
    size += part.length;
    // max + 1: the CR of a CRLF line is not the password's.
    if (size > max + 1) return null; // leaving the loop destroys the stream: nothing more is read
    parts.push(part);
    if (lf >= 0) break;
  }
  let line = Buffer.concat(parts);
  if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
  return line.length > max ? null : line.toString('utf8');
}

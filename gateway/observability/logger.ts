import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Secret-bearing fields, declared once (Traefik's habit): whatever object reaches the logger,
 * these paths are censored. The access log never puts them there to begin with.
 */
export const REDACTED_PATHS: readonly string[] = [
  'authorization', 'cookie', 'password', 'token', 'apiKey', 'secret',
  '*.authorization', '*.cookie', '*.password', '*.token', '*.apiKey', '*.secret',
  '*.access_token', '*.refresh_token', '*["x-api-key"]', '*["set-cookie"]',
  'headers.authorization', 'headers.cookie', 'headers["x-api-key"]',
];

/**
 * Lines are written in 4 KiB batches (one write per ~15 access lines instead of one each:
 * measured in bench/README.md) and flushed at least every 200 ms, so a quiet gateway's lines
 * still appear promptly. main.ts flushes before exit.
 */
export function createLogger(level: string, destination: NodeJS.WritableStream | number = 1): Logger {
  const logger = pino(
    {
      level,
      base: { service: 'gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    typeof destination === 'number' ? pino.destination({ dest: destination, sync: false, minLength: 4096 }) : destination,
  );
  // One flush at a time: each one waits for the stream's next 'drain' with a listener of its own,
  // and a log pipe busy for over 2 s under load stacked them past MaxListeners.
  let flushing = false;
  setInterval(() => {
    if (flushing) return;
    flushing = true;
    logger.flush(() => {
      flushing = false;
    });
  }, 200).unref();
  return logger;
}

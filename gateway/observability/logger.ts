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

export function createLogger(level: string, destination: NodeJS.WritableStream | number = 1): Logger {
  return pino(
    {
      level,
      base: { service: 'gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    typeof destination === 'number' ? pino.destination({ dest: destination, sync: false }) : destination,
  );
}

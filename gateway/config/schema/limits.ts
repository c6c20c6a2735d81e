import { z } from 'zod';
import { duration, size, wholeNumber } from './fields.js';

/** What one client connection and request may cost the gateway: time, headers, body. */

const DEFAULTS = {
  handshakeTimeout: 10_000,
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5000,
  maxHeaderSize: 16 * 1024,
  maxHeaders: 100,
  bodyLimit: 1024 * 1024,
  shutdownGrace: 10_000,
};

export const limitsSchema = z.strictObject({
  /** From TCP accept to a finished TLS handshake: a client that stalls there holds a socket for nothing. */
  handshakeTimeout: duration.default(DEFAULTS.handshakeTimeout),
  headersTimeout: duration.default(DEFAULTS.headersTimeout),
  requestTimeout: duration.default(DEFAULTS.requestTimeout),
  keepAliveTimeout: duration.default(DEFAULTS.keepAliveTimeout),
  maxHeaderSize: size.default(DEFAULTS.maxHeaderSize),
  maxHeaders: wholeNumber(1, 2000).default(DEFAULTS.maxHeaders),
  bodyLimit: size.default(DEFAULTS.bodyLimit),
  maxConnections: wholeNumber(1).optional(),
  shutdownGrace: duration.default(DEFAULTS.shutdownGrace),
}).refine((l) => l.headersTimeout <= l.requestTimeout, {
  message: 'headersTimeout cannot be longer than requestTimeout', path: ['headersTimeout'],
}).default(() => ({ ...DEFAULTS }));

export const logSchema = z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info') })
  .default({ level: 'info' });

/**
 * Where `serve` writes its process id while it runs, for `gateway reload --config FILE` when FILE
 * has no admin listener to ask (docs/admin.md). Absent: no file.
 */
export const pidFileSchema = z.string().min(1, 'expected a file path like "/run/gateway.pid"').optional();

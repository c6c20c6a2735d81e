import { z } from 'zod';
import { bool, duration, wholeNumber } from './fields.js';

/** The backend the gateway proxies to, and how its connection pool behaves. */

const httpUrl = z.string().refine((u) => {
  try {
    const parsed = new URL(u);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.pathname === '/' && !parsed.search && !parsed.username;
  } catch {
    return false;
  }
}, 'expected an origin URL like "http://127.0.0.1:8000" (no path, query or credentials)');

export const upstreamSchema = z.strictObject({
  url: httpUrl,
  connections: wholeNumber(1, 10_000).default(64),
  connectTimeout: duration.default(5000),
  headersTimeout: duration.default(30_000),
  bodyTimeout: duration.default(30_000),
  // uvicorn closes idle keep-alive sockets after 5 s; reusing one it is closing loses the request.
  keepAliveTimeout: duration.default(4000),
  preserveHost: bool.default(false),
  retryIdempotent: bool.default(true),
  /** Path /readyz requests to tell whether the backend answers. */
  healthPath: z.string().startsWith('/').default('/health'),
});

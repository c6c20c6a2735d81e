import { z } from 'zod';
import { bool, duration, headerName, listOf, method } from './fields.js';

/** Which browser origins may call the API; off when absent. */

const origin = z.string().refine((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o), 'expected an origin like "https://app.example.com" or "*"');

export const corsSchema = z.strictObject({
  origins: listOf(origin, '"https://app.example.com"').min(1),
  methods: listOf(method, 'GET, POST').default(['GET', 'HEAD', 'POST']),
  // Idempotency-Key is not CORS-safelisted: a browser retrying an order needs it allowed, and to read the replay marker.
  headers: listOf(headerName, 'Authorization, Content-Type').default(['Authorization', 'Content-Type', 'X-API-Key', 'X-Request-Id', 'Idempotency-Key']),
  exposeHeaders: listOf(headerName, 'X-Request-Id').default(['X-Request-Id', 'Idempotent-Replayed']),
  credentials: bool.default(false),
  maxAge: duration.default(600_000),
}).refine((c) => !(c.credentials && c.origins.includes('*')), {
  message: 'credentials: true cannot be combined with the "*" origin (browsers reject it, and it would trust every site)',
  path: ['credentials'],
});

export type CorsConfig = z.output<typeof corsSchema>;

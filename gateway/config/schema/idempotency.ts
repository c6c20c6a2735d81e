import { z } from 'zod';
import { bool, duration, listOf, oneOf, size, wholeNumber } from './fields.js';
import type { RawConfig } from '../schema.js';
import type { RouteInput } from './compile-route.js';
import type { PathIssue } from './path-issue.js';
import type { UpstreamConfig } from './upstream.js';

/** A route's `idempotency:` (docs/configuration.md "Idempotency keys"); the stage is pipeline/idempotency-stage.ts. */

const DAY = 86_400_000;
/** Methods with an effect worth deduplicating; a GET has none to repeat (RFC 9110 9.2.1). */
const METHODS = ['POST', 'PATCH', 'PUT', 'DELETE'] as const;
/** Room for the backend's answer to arrive after the exchange's own timeouts, before a claim lapses. */
const LEASE_MARGIN_MS = 5000;

const longForm = z.strictObject({
  window: duration.default(DAY).refine((ms) => ms >= 1000, 'expected a window of at least 1s'),
  required: bool.default(false),
  methods: listOf(z.enum(METHODS, { error: `expected one of ${METHODS.join(', ')} (safe methods have no effect to repeat)` }), 'POST, PATCH')
    .min(1).default(['POST', 'PATCH']),
  // The draft sets no length; 255 is what the widely used APIs (Stripe) accept, a UUID is 36.
  maxKeyLength: wholeNumber(1, 1024).default(255),
  maxBodyBytes: size.optional(),
  onStoreError: z.enum(['reject', 'forward'], { error: 'expected "reject" or "forward"' }).default('reject'),
});

/** `true` is every default; `false` or absent is off. */
export const routeIdempotencySchema = oneOf('true, false or { window, required, methods, maxKeyLength, maxBodyBytes, onStoreError }', [bool, longForm])
  .transform((v) => (v === false ? null : v === true ? longForm.parse({}) : v));
type RawIdempotency = z.output<typeof routeIdempotencySchema>;

export interface RouteIdempotency {
  readonly windowMs: number;
  readonly required: boolean;
  readonly methods: ReadonlySet<string>;
  readonly maxKeyLength: number;
  /** The largest backend answer kept for replay. */
  readonly maxBodyBytes: number;
  /** How long a claim blocks its key without an answer (a crashed instance): the exchange's timeouts and a margin. */
  readonly leaseMs: number;
  readonly onStoreError: 'reject' | 'forward';
}

interface RouteFacts {
  auth?: { mode: string } | undefined;
  target: string;
  methods?: readonly string[] | undefined;
  idempotency?: RawIdempotency | undefined;
}

/**
 * Keys are kept per caller: a route whose callers may be anonymous has no caller to keep them
 * by. The client address is no identity (many clients share one behind NAT, and a stored answer
 * would go to whoever sends the key from it), so such routes are refused, not keyed by address.
 */
export function checkRouteIdempotency(r: RouteFacts): PathIssue[] {
  if (!r.idempotency) return [];
  const at = ['idempotency'];
  const issues: PathIssue[] = [];
  if (r.target !== 'backend') issues.push({ path: at, message: 'idempotency keys apply to backend routes only' });
  if (r.auth !== undefined && r.auth.mode !== 'required') {
    issues.push({ path: at, message: `idempotency keys are kept per authenticated caller: it needs auth "required" (this route's callers may be anonymous, and an address is not an identity)` });
  }
  if (r.methods && !r.idempotency.methods.some((m) => r.methods!.includes(m))) {
    issues.push({ path: [...at, 'methods'], message: `none of ${r.idempotency.methods.join(', ')} is among the route's methods` });
  }
  return issues;
}

/** The route's own timeouts and body limit, else the sections' defaults, as compile-route.ts resolves them. */
export function compileRouteIdempotency(r: Pick<RouteInput, 'idempotency' | 'bodyLimit' | 'timeouts'>, config: { upstream: Pick<UpstreamConfig, 'connectTimeout' | 'headersTimeout' | 'bodyTimeout'>; limits: RawConfig['limits'] }): RouteIdempotency | null {
  const raw = r.idempotency;
  if (!raw) return null;
  const { connectTimeout } = config.upstream;
  const headersTimeout = r.timeouts.headers ?? config.upstream.headersTimeout;
  const bodyTimeout = r.timeouts.body ?? config.upstream.bodyTimeout;
  return {
    windowMs: raw.window,
    required: raw.required,
    methods: new Set(raw.methods),
    maxKeyLength: raw.maxKeyLength,
    maxBodyBytes: raw.maxBodyBytes ?? r.bodyLimit ?? config.limits.bodyLimit,
    leaseMs: Math.min(raw.window, connectTimeout + headersTimeout + bodyTimeout + LEASE_MARGIN_MS),
    onStoreError: raw.onStoreError,
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Principal } from '../auth/principal.js';
import type { CompiledRoute, GatewayConfig } from '../config/compile-config.js';
import type { TraceContext } from '../observability/trace-context.js';
import type { BackendReply } from '../upstream/backend-exchange.js';

/**
 * Everything one request carries through the stages. One object per request, no per-stage copies.
 * A WebSocket handshake is a request too and uses this same type: it has no ServerResponse
 * (`res` is null) and carries `handshake` instead, so the stages that never look at the response
 * (CORS, limits, authentication, roles) serve both ways in unchanged.
 */
export interface RequestContext {
  readonly req: IncomingMessage;
  /** null for a WebSocket handshake, which is answered on `handshake.socket`. */
  readonly res: ServerResponse | null;
  /** null for a plain request. */
  readonly handshake: Handshake | null;
  readonly config: GatewayConfig;
  readonly requestId: string;
  /** W3C Trace Context: the client's trace continued, or a new one (observability/trace-context.ts). */
  readonly trace: TraceContext;
  readonly startedAt: number;
  /** TCP peer, IPv4-mapped prefix removed. */
  readonly peer: string;
  peerTrusted: boolean;
  /** The client's address after trusted-proxy processing. */
  clientIp: string;
  host: string;
  /** Normalized path; '' until normalization succeeded (the access log then shows the raw one). */
  path: string;
  query: string;
  route: CompiledRoute | null;
  params: Record<string, string>;
  /** Set by the authenticate stage; null for anonymous callers. */
  principal: Principal | null;
  /** Per-request response headers (CORS, later RateLimit), flat [name, value, ...]. */
  extraHeaders: string[] | null;
  upstreamMs: number | undefined;
  /**
   * Stages that must see the backend's answer before the client does (cache invalidation,
   * idempotency keys) add a hook; the proxy then reads the answer first and runs the hooks
   * before writing. null on the hot path: the answer is streamed straight through.
   */
  replyHooks: ReplyHook[] | null;
  /** The request body, when a stage had to read it whole (idempotency keys hash it). */
  bufferedBody: Buffer | null;
  /** Why the gateway answered itself (Envoy's response flags): an error code or a local reply. */
  reason: string | undefined;
}

export interface ReplyHook {
  /** Body bytes this hook needs in hand (the largest of the hooks is read before the hooks run). */
  readonly bufferUpTo: number;
  /** Runs before any byte reaches the client; a throw is answered as the request's error. */
  beforeClient(reply: BackendReply, ctx: HttpContext): Promise<void>;
}

/** What a WebSocket handshake has instead of a ServerResponse. */
export interface Handshake {
  /** The client connection: the answer (an error, or the backend's 101) is written to it raw. */
  readonly socket: Duplex;
  readonly head: Buffer;
  /** `?access_token=` (browsers cannot set headers on a WebSocket), already out of `query`. */
  accessToken: string | undefined;
  /** The status the client was answered with; 0 until then. */
  status: number;
}

/** A plain request: the proxy and the gateway's API write to `res`. */
export type HttpContext = RequestContext & { readonly res: ServerResponse; readonly handshake: null };
/** A WebSocket handshake: the WebSocket stage hands `handshake.socket` to the backend. */
export type UpgradeContext = RequestContext & { readonly res: null; readonly handshake: Handshake };

/**
 * Stages that only read the request and the context are `Stage` and go in both kinds of chain;
 * a terminal stage names the kind it writes to.
 */
export type Stage<C extends RequestContext = RequestContext> = (ctx: C, next: () => Promise<void>) => Promise<void>;

/** The headers every response of this request carries, route-specific once the route is known. */
export function responseHeadersOf(ctx: RequestContext): readonly string[] {
  const base = ctx.route ? ctx.route.responseHeaders : ctx.config.baseResponseHeaders;
  return ctx.extraHeaders ? [...base, ...ctx.extraHeaders] : base;
}

// Set only for requests handed to the control plane, so the hot path pays nothing for it.
const controlPlaneContexts = new WeakMap<IncomingMessage, RequestContext>();

/** The gateway-api stage lends the context to Express; `contextOf` is how the API reads it. */
export function lendContext(req: IncomingMessage, ctx: RequestContext): void {
  controlPlaneContexts.set(req, ctx);
}

/** The context of a request the data plane handed to the control plane; undefined otherwise. */
export function contextOf(req: IncomingMessage): RequestContext | undefined {
  return controlPlaneContexts.get(req);
}

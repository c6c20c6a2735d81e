import { connectionListed, HOP_BY_HOP } from './hop-by-hop.js';

/**
 * Client-sent fields that claim something about the client or the path it took. The gateway is
 * the only one allowed to state these to the backend (security notes, item 3).
 */
export const FORWARDING_HEADERS: ReadonlySet<string> = new Set([
  'forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port',
  'x-forwarded-prefix', 'x-forwarded-server', 'x-real-ip', 'x-client-ip', 'true-client-ip',
  'x-original-url', 'x-rewrite-url', 'x-original-host', 'x-http-method-override', 'x-http-method',
  'x-method-override', 'x-request-id', 'host',
  // W3C Trace Context: the gateway is a hop of the trace and states its own (observability/trace-context.ts).
  'traceparent', 'tracestate',
  // Node already answered any 100-continue with the client; undici refuses to send Expect.
  'expect',
]);

export const DEFAULT_IDENTITY_HEADERS: readonly string[] = ['x-user-id', 'x-user-roles', 'x-auth-method'];
/** Client credentials stop at the gateway: never forwarded, whatever the route says. */
export const CREDENTIAL_HEADERS: readonly string[] = ['x-api-key'];

export interface UpstreamRequestFacts {
  requestId: string;
  /** Host header as the client sent it, port included (already checked against `hosts`). */
  host: string;
  /** Host header for the backend: the client's when preserveHost, else the upstream's. */
  upstreamHost: string;
  peer: string;
  peerTrusted: boolean;
  /** Keep Upgrade/Connection for a WebSocket handshake. */
  upgrade: boolean;
  /** The verified caller's identity headers, flat [name, value, ...]; set after every client field is gone. */
  identity?: readonly string[];
  /** The gateway's traceparent, and the client's tracestate when its traceparent was continued. */
  trace?: { traceparent: string; tracestate: string | undefined };
}

export interface HeaderPolicy {
  identityHeaders: ReadonlySet<string>;
  remove: ReadonlySet<string>;
  set: readonly (readonly [string, string])[];
}

/**
 * The headers the backend sees, as a flat [name, value, ...] list built in one pass over the
 * raw client headers. Order: client fields that survive, then the gateway's own, then route `set`
 * (which replaces a gateway field of the same name, and every client occurrence of its names).
 */
export function buildUpstreamHeaders(rawHeaders: readonly string[], facts: UpstreamRequestFacts, policy: HeaderPolicy): string[] {
  let listed: Set<string> | null = null;
  let incomingXff: string | undefined;
  let incomingProto: string | undefined;
  let incomingHost: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const raw = rawHeaders[i]!;
    // Only "connection" (10) and "x-forwarded-for|host|proto" (15-17) matter here: skip the rest unread.
    if (raw.length !== 10 && (raw.length < 15 || raw.length > 17)) continue;
    const name = raw.toLowerCase();
    if (name === 'connection') listed = connectionListed(rawHeaders[i + 1]!);
    else if (facts.peerTrusted) {
      if (name === 'x-forwarded-for') incomingXff = incomingXff ? `${incomingXff}, ${rawHeaders[i + 1]}` : rawHeaders[i + 1];
      else if (name === 'x-forwarded-proto') incomingProto = rawHeaders[i + 1];
      else if (name === 'x-forwarded-host') incomingHost = rawHeaders[i + 1];
    }
  }

  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const raw = rawHeaders[i]!;
    const name = raw.toLowerCase();
    if (facts.upgrade && (name === 'upgrade' || name === 'connection')) {
      out.push(name, rawHeaders[i + 1]!);
      continue;
    }
    if (
      HOP_BY_HOP.has(name) || FORWARDING_HEADERS.has(name) || policy.identityHeaders.has(name) || policy.remove.has(name)
      // A WSGI backend reads X_User_Id as X-User-Id (both become HTTP_X_USER_ID).
      || name.includes('_')
      || (listed !== null && listed.has(name))
      // The route's `set` is the only value of its names: a client copy would ride along beside it.
      || (policy.set.length > 0 && routeSets(policy.set, name))
    ) continue;
    out.push(name, rawHeaders[i + 1]!);
  }

  out.push(
    'host', facts.upstreamHost,
    'x-forwarded-for', incomingXff ? `${incomingXff}, ${facts.peer}` : facts.peer,
    'x-forwarded-proto', incomingProto ?? 'https',
    'x-forwarded-host', incomingHost ?? facts.host,
    'x-request-id', facts.requestId,
  );
  if (facts.trace) {
    out.push('traceparent', facts.trace.traceparent);
    if (facts.trace.tracestate !== undefined) out.push('tracestate', facts.trace.tracestate);
  }
  if (facts.identity) for (const h of facts.identity) out.push(h);
  // Every client copy is gone: a name found here is one the gateway stated above (X-Forwarded-Proto ...).
  for (const [name, value] of policy.set) {
    const at = nameAt(out, name);
    if (at >= 0) out[at + 1] = value;
    else out.push(name, value);
  }
  return out;
}

function routeSets(set: HeaderPolicy['set'], name: string): boolean {
  for (const [n] of set) if (n === name) return true;
  return false;
}

/** Index of `name` among the names (even slots) of a flat list; a value equal to it does not count. */
function nameAt(flat: readonly string[], name: string): number {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return i;
  return -1;
}

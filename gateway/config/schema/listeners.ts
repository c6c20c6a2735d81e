import { BlockList, isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { bool, duration, hostAddress, port } from './fields.js';
import { acmeFields, RENEW_BEFORE_DEFAULT } from './acme.js';
import type { PathIssue } from './path-issue.js';

/** Where the gateway listens, the names it serves, its certificate and the proxies it believes. */

const listener = z.strictObject({ host: hostAddress.default('0.0.0.0'), port });

export const listenersSchema = z.strictObject({
  https: listener,
  http: listener.extend({ redirectPort: port.optional() }).optional(),
  /** The admin endpoints (docs/admin.md): loopback unless the operator says otherwise. */
  admin: listener.extend({
    host: hostAddress.default('127.0.0.1'),
    /** true: HTTPS with the gateway's own certificate (the `tls` section), swapped with it. */
    tls: bool.default(false),
  }).optional(),
});
type RawListeners = z.output<typeof listenersSchema>;

/**
 * Cross-field rules for the admin listener: it authenticates every request against `auth`, so a
 * config without that section could only refuse everyone; and it cannot share a port with
 * another listener on an overlapping address (the bind would fail at start, not at check).
 */
export function checkAdminListener(listeners: RawListeners, hasAuth: boolean): PathIssue[] {
  const admin = listeners.admin;
  if (!admin) return [];
  const issues: PathIssue[] = [];
  if (!hasAuth) {
    issues.push({ path: ['listeners', 'admin'], at: 'key', message: 'the admin listener admits only callers with the "admin" role: it needs the top-level "auth" section (API keys or users)' });
  }
  for (const name of ['https', 'http'] as const) {
    const other = listeners[name];
    if (other && admin.port !== 0 && other.port === admin.port && addressesOverlap(other.host, admin.host)) {
      issues.push({ path: ['listeners', 'admin', 'port'], message: `port ${admin.port} is already listeners.${name}'s` });
    }
  }
  return issues;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

function addressesOverlap(a: string, b: string): boolean {
  return a === b || WILDCARDS.has(a) || WILDCARDS.has(b);
}

/**
 * Whether `host` binds to loopback only: 127.0.0.0/8, ::1 (also IPv4-mapped) or "localhost".
 * Anything else (0.0.0.0, a host name, a LAN address) may be reachable from the network.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

export const hostsSchema = z.array(z.string().min(1).transform((h) => h.toLowerCase()))
  .refine((hosts) => !hosts.some((h) => h.includes('/') || h.includes(' ')), 'expected host names like "api.example.com"')
  .default([]);

export const tlsSchema = z.strictObject({
  mode: z.enum(['self-signed', 'files', 'acme']),
  certDir: z.string().default('certs'),
  cert: z.string().min(1, 'expected a file path').optional(),
  key: z.string().min(1, 'expected a file path').optional(),
  watchInterval: duration.default(2000),
  ...acmeFields,
}).transform((t, ctx) => {
  const common = { certDir: t.certDir, watchInterval: t.watchInterval };
  const given = (keys: readonly (keyof typeof t)[]) => keys.filter((k) => t[k] !== undefined);
  // A field another mode reads would be silently ignored: say so instead.
  const foreign = t.mode === 'acme' ? given(['cert', 'key']) : given(ACME_KEYS);
  for (const key of foreign) ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" applies to mode ${t.mode === 'acme' ? '"files"' : '"acme"'} only` });
  if (foreign.length > 0) return z.NEVER;
  if (t.mode === 'self-signed') return { mode: t.mode, ...common };
  if (t.mode === 'acme') {
    if (t.domains === undefined) ctx.addIssue({ code: 'custom', message: 'mode "acme" needs "domains": the names to get a certificate for, like [api.example.com]' });
    if (t.directory === undefined) ctx.addIssue({ code: 'custom', message: 'mode "acme" needs "directory": "letsencrypt", "letsencrypt-staging" or the https URL of an ACME directory' });
    if (t.domains === undefined || t.directory === undefined) return z.NEVER;
    return {
      mode: t.mode, ...common,
      domains: [...new Set(t.domains)], email: t.email ?? null, directory: t.directory, caBundle: t.caBundle ?? null, renewBefore: t.renewBefore ?? RENEW_BEFORE_DEFAULT,
    };
  }
  if (t.cert === undefined || t.key === undefined) {
    ctx.addIssue({ code: 'custom', message: 'mode "files" needs both "cert" and "key" paths' });
    return z.NEVER;
  }
  return { mode: t.mode, ...common, cert: t.cert, key: t.key };
});
export type RawTls = z.output<typeof tlsSchema>;

const ACME_KEYS = Object.keys(acmeFields) as (keyof typeof acmeFields)[];

/** Each mode's fields are there for sure: consumers switch on `mode` and need no `!`. */
export type TlsConfig =
  | { readonly mode: 'self-signed'; readonly certDir: string; readonly watchInterval: number }
  | { readonly mode: 'files'; readonly certDir: string; readonly watchInterval: number; readonly cert: string; readonly key: string }
  | AcmeTlsConfig;

export interface AcmeTlsConfig {
  readonly mode: 'acme';
  readonly certDir: string;
  readonly watchInterval: number;
  /** Lower-case DNS names, no duplicates; the first is the certificate's subject. */
  readonly domains: readonly string[];
  readonly email: string | null;
  /** The directory URL (names already resolved). */
  readonly directory: string;
  /** PEM file of the roots to trust for the directory's TLS, instead of the system's. */
  readonly caBundle: string | null;
  /** Milliseconds before expiry to renew. */
  readonly renewBefore: number;
}

export function compileTls(t: RawTls): TlsConfig {
  const certDir = resolve(t.certDir);
  switch (t.mode) {
    case 'files':
      return { ...t, certDir, cert: resolve(t.cert), key: resolve(t.key) };
    case 'acme':
      return { ...t, certDir, caBundle: t.caBundle === null ? null : resolve(t.caBundle) };
    default:
      return { ...t, certDir };
  }
}

const cidr = z.string().refine((s) => {
  const [addr, bits, extra] = s.split('/');
  if (extra !== undefined || !addr || isIP(addr) === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (isIP(addr) === 4 ? 32 : 128);
}, 'expected an IP address or CIDR like "10.0.0.0/8"');

export const trustedProxiesSchema = z.array(cidr).default([]);

export function buildBlockList(cidrs: readonly string[]): BlockList | null {
  if (cidrs.length === 0) return null;
  const list = new BlockList();
  for (const entry of cidrs) {
    const [addr, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  return list;
}

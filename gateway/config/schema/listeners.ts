import { BlockList, isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import { duration, hostAddress, port } from './fields.js';

/** Where the gateway listens, the names it serves, its certificate and the proxies it believes. */

const listener = z.strictObject({ host: hostAddress.default('0.0.0.0'), port });

export const listenersSchema = z.strictObject({
  https: listener,
  http: listener.extend({ redirectPort: port.optional() }).optional(),
  admin: listener.extend({ host: hostAddress.default('127.0.0.1') }).optional(),
});

export const hostsSchema = z.array(z.string().min(1).transform((h) => h.toLowerCase()))
  .refine((hosts) => !hosts.some((h) => h.includes('/') || h.includes(' ')), 'expected host names like "api.example.com"')
  .default([]);

export const tlsSchema = z.strictObject({
  mode: z.enum(['self-signed', 'files']),
  certDir: z.string().default('certs'),
  cert: z.string().min(1, 'expected a file path').optional(),
  key: z.string().min(1, 'expected a file path').optional(),
  watchInterval: duration.default(2000),
}).transform((t, ctx) => {
  const common = { certDir: t.certDir, watchInterval: t.watchInterval };
  if (t.mode === 'self-signed') return { mode: t.mode, ...common };
  if (t.cert === undefined || t.key === undefined) {
    ctx.addIssue({ code: 'custom', message: 'mode "files" needs both "cert" and "key" paths' });
    return z.NEVER;
  }
  return { mode: t.mode, ...common, cert: t.cert, key: t.key };
});
export type RawTls = z.output<typeof tlsSchema>;

/** `files` always has both paths: consumers switch on `mode` and need no `!`. */
export type TlsConfig =
  | { readonly mode: 'self-signed'; readonly certDir: string; readonly watchInterval: number }
  | { readonly mode: 'files'; readonly certDir: string; readonly watchInterval: number; readonly cert: string; readonly key: string };

export function compileTls(t: RawTls): TlsConfig {
  const certDir = resolve(t.certDir);
  return t.mode === 'files' ? { ...t, certDir, cert: resolve(t.cert), key: resolve(t.key) } : { ...t, certDir };
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

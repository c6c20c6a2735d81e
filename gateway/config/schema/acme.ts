import { isIP } from 'node:net';
import { z } from 'zod';
import { duration, listOf } from './fields.js';
import type { PathIssue } from './path-issue.js';

/** The fields of `tls` that only `mode: acme` reads (docs/configuration.md "Certificates from ACME"). */

/** Directories named in the config; any other https URL is taken as given (a private CA, pebble). */
export const ACME_DIRECTORIES: Readonly<Record<string, string>> = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
};

// RFC 1123 2.1 host names: labels of letters, digits and inner hyphens, 253 characters at most.
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DNS_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);

export const acmeDomain = z.string().transform((raw, ctx) => {
  const name = raw.trim().toLowerCase();
  if (name.startsWith('*.')) {
    // RFC 8555 7.1.3 / 8.3: a wildcard is only validated over DNS-01; this gateway answers HTTP-01.
    ctx.addIssue({ code: 'custom', message: `"${raw}": a wildcard name needs the DNS-01 challenge; HTTP-01 (what the gateway answers) cannot validate it: list each name` });
    return z.NEVER;
  }
  if (isIP(name.replace(/^\[(.*)\]$/, '$1')) !== 0) {
    ctx.addIssue({ code: 'custom', message: `"${raw}": IP addresses are not supported; list DNS names` });
    return z.NEVER;
  }
  if (!DNS_NAME.test(name)) {
    ctx.addIssue({ code: 'custom', message: `"${raw}" is not a DNS name like "api.example.com"` });
    return z.NEVER;
  }
  return name;
});

export const acmeDirectory = z.string().transform((v, ctx) => {
  const named = ACME_DIRECTORIES[v];
  if (named) return named;
  let url: URL | null = null;
  try {
    url = new URL(v);
  } catch {
    // reported below
  }
  // RFC 8555 6.1: every ACME request goes over HTTPS.
  if (!url || url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `expected ${Object.keys(ACME_DIRECTORIES).map((n) => `"${n}"`).join(', ')} or the https URL of an ACME directory, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return url.href;
});

/** RFC 8555 7.3: contacts are mailto: URIs; one address, no header tricks (no "?", ",", spaces). */
export const acmeEmail = z.string().regex(/^[^@\s,?<>"]+@[^@\s,?<>"]+\.[^@\s,?<>"]+$/, 'expected an email address like "ops@example.com"');

/** Absent in the other modes; `tlsSchema` refuses them there. */
export const acmeFields = {
  domains: listOf(acmeDomain, 'api.example.com', 'expected at least one domain, like [api.example.com]').min(1).optional(),
  email: acmeEmail.optional(),
  directory: acmeDirectory.optional(),
  caBundle: z.string().min(1, 'expected a file path').optional(),
  renewBefore: duration.optional(),
};

export const RENEW_BEFORE_DEFAULT = 30 * 86_400_000;

/**
 * Rules between `tls` in acme mode and the other sections. The CA checks a domain by fetching
 * http://DOMAIN/.well-known/acme-challenge/TOKEN (RFC 8555 8.3): only the HTTP listener answers
 * that, and it refuses hosts outside `hosts` like every listener does.
 */
export function checkAcme(tls: { mode: string; domains?: readonly string[] }, hasHttpListener: boolean, hosts: readonly string[]): PathIssue[] {
  if (tls.mode !== 'acme') return [];
  const issues: PathIssue[] = [];
  if (!hasHttpListener) {
    issues.push({ path: ['tls', 'mode'], message: 'mode "acme" answers the CA\'s HTTP-01 challenge on the HTTP listener: add listeners.http (the CA connects to port 80 of each domain)' });
  }
  if (hosts.length > 0) {
    for (const [i, domain] of (tls.domains ?? []).entries()) {
      if (!hosts.includes(domain)) issues.push({ path: ['tls', 'domains', i], message: `"${domain}" is not in hosts: its challenge and its requests would be refused (421); add it to hosts` });
    }
  }
  return issues;
}

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import selfsigned from 'selfsigned';
import { isAcmeToken } from '../../gateway/tls/acme-challenges.js';
import { servableFacts } from '../../gateway/tls/cert-facts.js';
import type { CertPair } from '../../gateway/tls/self-signed-cert.js';

const DAY = 86_400_000;
const NOW = Date.now();

async function pair(names: string[], from: number, to: number): Promise<CertPair> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: names[0] ?? 'x' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notBeforeDate: new Date(from), notAfterDate: new Date(to),
    extensions: [{ name: 'subjectAltName', altNames: names.map((value) => ({ type: 2 as const, value })) }],
  });
  return { cert: pems.cert, key: pems.private };
}

let good: CertPair;
let other: CertPair;
let expired: CertPair;
let future: CertPair;
before(async () => {
  good = await pair(['api.example.com', 'www.example.com'], NOW - DAY, NOW + 60 * DAY);
  other = await pair(['api.example.com'], NOW - DAY, NOW + 60 * DAY);
  expired = await pair(['api.example.com'], NOW - 90 * DAY, NOW - DAY);
  future = await pair(['api.example.com'], NOW + DAY, NOW + 90 * DAY);
});

const cases: { description: string; pair: () => CertPair; domains: string[]; servable: boolean }[] = [
  { description: 'valid, names every domain, its own key', pair: () => good, domains: ['api.example.com', 'www.example.com'], servable: true },
  { description: 'a subset of its names is enough', pair: () => good, domains: ['www.example.com'], servable: true },
  { description: 'a domain it does not name', pair: () => good, domains: ['api.example.com', 'new.example.com'], servable: false },
  { description: 'expired', pair: () => expired, domains: ['api.example.com'], servable: false },
  { description: 'not valid yet', pair: () => future, domains: ['api.example.com'], servable: false },
  { description: 'another certificate\'s key (a half-finished write)', pair: () => ({ cert: good.cert, key: other.key }), domains: ['api.example.com'], servable: false },
  { description: 'not PEM at all', pair: () => ({ cert: 'garbage', key: good.key }), domains: ['api.example.com'], servable: false },
  { description: 'a key that does not parse', pair: () => ({ cert: good.cert, key: 'garbage' }), domains: ['api.example.com'], servable: false },
];
for (const c of cases) {
  test(`servable certificate: ${c.description}`, () => {
    const facts = servableFacts(c.pair(), c.domains, NOW);
    assert.equal(facts !== null, c.servable);
    if (facts) assert.deepEqual(facts.names, ['api.example.com', 'www.example.com']);
  });
}

const tokens: { description: string; token: string; ok: boolean }[] = [
  { description: 'base64url of 32 bytes (what CAs send)', token: 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0', ok: true },
  { description: 'the shortest with 128 bits', token: 'A'.repeat(22), ok: true },
  { description: 'too short for 128 bits', token: 'A'.repeat(21), ok: false },
  { description: 'too long', token: 'A'.repeat(129), ok: false },
  { description: 'a slash (a path below the token)', token: `${'A'.repeat(22)}/x`, ok: false },
  { description: 'base64 padding', token: `${'A'.repeat(22)}==`, ok: false },
  { description: 'a dot (a store key or path trick)', token: `${'A'.repeat(22)}.`, ok: false },
  { description: 'empty', token: '', ok: false },
];
for (const t of tokens) {
  test(`acme token: ${t.description}`, () => {
    assert.equal(isAcmeToken(t.token), t.ok);
  });
}

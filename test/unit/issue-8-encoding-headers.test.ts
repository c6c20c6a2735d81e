import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addVaryAcceptEncoding, codedHeaders, notModifiedHeaders, weakenEtag } from '../../gateway/compression/encoding-headers.js';

const pairs = (flat: string[]) => Array.from({ length: flat.length / 2 }, (_, i) => `${flat[2 * i]}: ${flat[2 * i + 1]}`);

const varyCases: { before: string[]; vary: string[]; why: string }[] = [
  { before: [], vary: ['Accept-Encoding'], why: 'no Vary: one is added' },
  { before: ['vary', 'Origin'], vary: ['Origin, Accept-Encoding'], why: 'merged into the existing field' },
  { before: ['vary', 'Origin', 'vary', 'Accept'], vary: ['Origin, Accept-Encoding', 'Accept'], why: 'merged into the first of several' },
  { before: ['vary', 'accept-encoding'], vary: ['accept-encoding'], why: 'already named (any case): unchanged' },
  { before: ['vary', 'Origin', 'vary', 'Accept-Encoding'], vary: ['Origin', 'Accept-Encoding'], why: 'named in a later field: unchanged' },
  { before: ['vary', 'Origin , Accept-Encoding '], vary: ['Origin , Accept-Encoding '], why: 'named with spaces around: unchanged' },
  { before: ['vary', '*'], vary: ['*'], why: 'Vary: * stays as it is' },
  { before: ['vary', 'Accept, *'], vary: ['Accept, *'], why: '* among others stays too' },
  { before: ['vary', ''], vary: ['Accept-Encoding'], why: 'an empty Vary gets the name alone' },
  { before: ['vary', 'Accept-Encoding-X'], vary: ['Accept-Encoding-X, Accept-Encoding'], why: 'a longer name is another name' },
];
for (const c of varyCases) {
  test(`addVaryAcceptEncoding ${JSON.stringify(c.before)}: ${c.why}`, () => {
    const flat = ['content-type', 'text/plain', ...c.before];
    addVaryAcceptEncoding(flat);
    assert.deepEqual(flat.filter((_, i) => i % 2 === 1 && flat[i - 1] === 'vary'), c.vary);
  });
}

const etagCases: { etag: string; want: string; why: string }[] = [
  { etag: '"abc"', want: 'W/"abc"', why: 'a strong tag is weakened: the coded bytes differ (RFC 9110 8.8.3)' },
  { etag: 'W/"abc"', want: 'W/"abc"', why: 'a weak tag stays' },
  { etag: '""', want: 'W/""', why: 'the empty tag is a tag' },
  { etag: 'abc', want: 'abc', why: 'not a valid tag: left alone' },
];
for (const c of etagCases) {
  test(`weakenEtag ${c.etag}: ${c.why}`, () => {
    const flat = ['etag', c.etag];
    weakenEtag(flat);
    assert.deepEqual(flat, ['etag', c.want]);
  });
}

test('codedHeaders, streamed: Content-Encoding set, identity-only fields gone, Vary and ETag fixed', () => {
  const flat = ['content-type', 'application/json', 'content-length', '2048', 'accept-ranges', 'bytes', 'etag', '"v1"',
    'content-digest', 'sha-256=:x:', 'repr-digest', 'sha-256=:y:', 'vary', 'Origin', 'x-request-id', 'r1'];
  codedHeaders(flat, 'br', null);
  assert.deepEqual(pairs(flat), ['content-type: application/json', 'etag: W/"v1"', 'vary: Origin, Accept-Encoding', 'x-request-id: r1', 'content-encoding: br']);
});

test('codedHeaders, a stored variant: its own Content-Length', () => {
  const flat = ['content-type', 'text/plain', 'content-length', '5000'];
  codedHeaders(flat, 'gzip', 812);
  assert.deepEqual(pairs(flat), ['content-type: text/plain', 'content-encoding: gzip', 'content-length: 812', 'vary: Accept-Encoding']);
});

const notModifiedCases: { inm: string | undefined; etag: string; want: string[]; why: string }[] = [
  { inm: 'W/"v1"', etag: '"v1"', want: ['etag: W/"v1"', 'vary: Accept-Encoding'], why: 'the client holds our weakened tag: the 304 confirms that one' },
  { inm: '"a", W/"v1"', etag: '"v1"', want: ['etag: W/"v1"', 'vary: Accept-Encoding'], why: 'among other tags' },
  { inm: '"v1"', etag: '"v1"', want: ['etag: "v1"'], why: 'the client holds the strong tag (identity): unchanged' },
  { inm: 'W/"v10"', etag: '"v1"', want: ['etag: "v1"'], why: 'another tag that starts alike: unchanged' },
  { inm: undefined, etag: '"v1"', want: ['etag: "v1"'], why: 'no If-None-Match (If-Modified-Since): unchanged' },
  { inm: 'W/"v1"', etag: 'W/"v1"', want: ['etag: W/"v1"'], why: 'the backend\'s tag is weak already' },
];
for (const c of notModifiedCases) {
  test(`notModifiedHeaders If-None-Match ${String(c.inm)}, ETag ${c.etag}: ${c.why}`, () => {
    const flat = ['etag', c.etag];
    notModifiedHeaders(flat, c.inm);
    assert.deepEqual(pairs(flat), c.want);
  });
}

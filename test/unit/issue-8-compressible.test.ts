import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compressibility, matchesType, type Compressibility, type ResponseHeaders } from '../../gateway/compression/compressible.js';
import { COMPRESSION_DEFAULTS, compileCompression } from '../../gateway/config/schema/compression.js';

const JSON_2K: ResponseHeaders = { 'content-type': 'application/json', 'content-length': '2048' };
const settings = COMPRESSION_DEFAULTS;

const cases: { method?: string; status?: number; headers: ResponseHeaders; want: Compressibility; why: string }[] = [
  { headers: JSON_2K, want: 'compress', why: 'a 2 KB JSON answer' },
  { headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': '2048' }, want: 'compress', why: 'parameters after the type are ignored' },
  { headers: { 'content-type': 'Application/JSON', 'content-length': '2048' }, want: 'compress', why: 'media types are case-insensitive' },
  { headers: { 'content-type': 'text/html' }, want: 'compress', why: 'unknown length (chunked): may be big' },
  { headers: { 'content-type': 'text/csv', 'content-length': '1024' }, want: 'compress', why: 'exactly minBytes is enough' },
  { headers: { 'content-type': 'text/csv', 'content-length': '1023' }, want: 'no', why: 'below minBytes' },
  { headers: { 'content-type': 'application/json', 'content-length': '' }, want: 'no', why: 'an empty length counts as zero' },
  { headers: { 'content-type': 'application/problem+json', 'content-length': '4000' }, want: 'compress', why: '+json suffix' },
  { headers: { 'content-type': 'image/svg+xml', 'content-length': '4000' }, want: 'compress', why: 'SVG through the +xml suffix' },
  { headers: { 'content-type': 'application/javascript', 'content-length': '4000' }, want: 'compress', why: 'scripts' },
  { headers: { 'content-type': 'image/png', 'content-length': '4000' }, want: 'no', why: 'images are compressed already' },
  { headers: { 'content-type': 'video/mp4', 'content-length': '4000' }, want: 'no', why: 'video' },
  { headers: { 'content-type': 'application/zip', 'content-length': '4000' }, want: 'no', why: 'archives' },
  { headers: { 'content-type': 'application/octet-stream', 'content-length': '4000' }, want: 'no', why: 'unknown bytes' },
  { headers: { 'content-type': 'font/woff2', 'content-length': '4000' }, want: 'no', why: 'woff2 is brotli inside' },
  { headers: { 'content-type': 'text/event-stream' }, want: 'no', why: 'events must not wait in a compressor' },
  { headers: { 'content-length': '4000' }, want: 'no', why: 'no Content-Type: nothing to go on' },
  { headers: { 'content-type': ['text/plain', 'image/png'], 'content-length': '4000' }, want: 'no', why: 'two Content-Types: nothing to go on' },
  { headers: { 'content-type': 'nonsense', 'content-length': '4000' }, want: 'no', why: 'not a media type' },
  { headers: { ...JSON_2K, 'content-encoding': 'gzip' }, want: 'no', why: 'already coded: never twice' },
  { headers: { ...JSON_2K, 'content-encoding': 'identity' }, want: 'no', why: 'any Content-Encoding means hands off' },
  { headers: { ...JSON_2K, 'cache-control': 'no-transform' }, want: 'no', why: 'no-transform (RFC 9111 5.2.2.6)' },
  { headers: { ...JSON_2K, 'cache-control': 'public, No-Transform, max-age=60' }, want: 'no', why: 'no-transform among other directives, any case' },
  { headers: { ...JSON_2K, 'cache-control': ['max-age=60', 'no-transform'] }, want: 'no', why: 'no-transform in a second Cache-Control field' },
  { headers: { ...JSON_2K, 'cache-control': 'x-no-transform-ish' }, want: 'compress', why: 'a directive that only contains the word' },
  { headers: { ...JSON_2K, 'content-range': 'bytes 0-2047/9000' }, want: 'no', why: 'a range of identity bytes' },
  { status: 206, headers: JSON_2K, want: 'no', why: '206 Partial Content' },
  { status: 204, headers: JSON_2K, want: 'no', why: '204 has no content' },
  { status: 304, headers: JSON_2K, want: 'no', why: '304 has no content' },
  { status: 101, headers: JSON_2K, want: 'no', why: '1xx has no content' },
  { status: 404, headers: JSON_2K, want: 'compress', why: 'an error page with a body is content like any other' },
  { method: 'HEAD', headers: JSON_2K, want: 'vary', why: 'HEAD: no body to code, but the GET\'s Vary (RFC 9110 9.3.2)' },
  { method: 'POST', headers: JSON_2K, want: 'compress', why: 'a POST\'s answer is content too' },
];

for (const c of cases) {
  test(`compressibility ${c.method ?? 'GET'} ${c.status ?? 200} ${JSON.stringify(c.headers)}: ${c.why}`, () => {
    assert.equal(compressibility(c.method ?? 'GET', c.status ?? 200, c.headers, settings), c.want);
  });
}

test('minBytes 0 codes even an empty length; a configured type list replaces the default one', () => {
  const custom = compileCompression({ enabled: true, minBytes: 0, gzipLevel: 1, brotliQuality: 4, types: ['application/octet-stream', 'text/*', '+xml'] });
  assert.equal(compressibility('GET', 200, { 'content-type': 'application/octet-stream', 'content-length': '0' }, custom), 'compress');
  assert.equal(compressibility('GET', 200, { 'content-type': 'application/json', 'content-length': '4000' }, custom), 'no');
  assert.equal(matchesType('application/atom+xml', custom.types), true);
  assert.equal(matchesType('text/event-stream', custom.types), false, 'text/* never covers event streams');
});

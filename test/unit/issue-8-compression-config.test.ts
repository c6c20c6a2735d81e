import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../gateway/config/load-config.js';
import { errorsOf, VALID } from './config-fixture.js';

const load = (text: string) => parseConfigText(text, 'gw.yaml', {});

test('compression defaults: on, 1 KB, gzip 1, brotli 4, text types; every backend route compresses', () => {
  const cfg = load(VALID);
  assert.equal(cfg.compression.enabled, true);
  assert.equal(cfg.compression.minBytes, 1024);
  assert.equal(cfg.compression.gzipLevel, 1);
  assert.equal(cfg.compression.brotliQuality, 4);
  assert.ok(cfg.compression.types.anySubtype.has('text') && cfg.compression.types.exact.has('application/json') && cfg.compression.types.suffixes.has('+json'));
  for (const id of ['a', 'b']) assert.equal(cfg.routes.find((r) => r.id === id)!.compression, cfg.compression);
});

test('the gateway\'s own routes never compress (health, /api/auth)', () => {
  const cfg = load(VALID);
  for (const r of cfg.routes.filter((x) => x.builtin || x.target === 'gateway')) assert.equal(r.compression, null, r.id);
});

test('a route turns it off with compression: false, or on where the section is disabled', () => {
  const off = load(VALID.replace('  - id: b\n', '  - id: b\n    compression: false\n'));
  assert.equal(off.routes.find((r) => r.id === 'b')!.compression, null);
  assert.notEqual(off.routes.find((r) => r.id === 'a')!.compression, null);
  const disabled = load(`${VALID.replace('  - id: b\n', '  - id: b\n    compression: true\n')}compression: { enabled: false }\n`);
  assert.equal(disabled.routes.find((r) => r.id === 'a')!.compression, null);
  assert.notEqual(disabled.routes.find((r) => r.id === 'b')!.compression, null);
});

test('a section replaces the defaults it names; types replace the whole list, lower-cased', () => {
  const cfg = load(`${VALID}compression: { minBytes: 0, gzipLevel: 6, brotliQuality: 11, types: [Application/JSON, "text/*", "+XML"] }\n`);
  assert.equal(cfg.compression.minBytes, 0);
  assert.equal(cfg.compression.gzipLevel, 6);
  assert.equal(cfg.compression.brotliQuality, 11);
  assert.deepEqual([...cfg.compression.types.exact], ['application/json']);
  assert.deepEqual([...cfg.compression.types.anySubtype], ['text']);
  assert.deepEqual([...cfg.compression.types.suffixes], ['+xml']);
});

const refused: { section: string; error: string; why: string }[] = [
  { section: '{ gzipLevel: 0 }', error: 'gw.yaml:16:27 compression.gzipLevel: expected a whole number from 1 to 9, got 0', why: 'gzip level 0 is no compression' },
  { section: '{ brotliQuality: 12 }', error: 'gw.yaml:16:31 compression.brotliQuality: expected a whole number from 0 to 11, got 12', why: 'brotli stops at 11' },
  { section: '{ minBytes: -1 }', error: 'gw.yaml:16:26 compression.minBytes: expected a whole number of at least 0, got -1', why: 'a negative size' },
  { section: '{ types: [] }', error: 'gw.yaml:16:23 compression.types: expected at least one entry, like [text/*, application/json, +json]', why: 'an empty type list' },
  { section: '{ types: [json] }', error: 'gw.yaml:16:24 compression.types[0]: expected a media type like "application/json", "text/*" or a suffix like "+json"', why: 'not a media type' },
  { section: '{ types: [text/event-stream] }', error: 'gw.yaml:16:24 compression.types[0]: text/event-stream is never compressed: each event must reach the client when it is sent', why: 'event streams' },
  { section: '{ level: 5 }', error: 'gw.yaml:16:16 compression.level: unknown key "level"', why: 'unknown keys' },
];
for (const c of refused) {
  test(`compression ${c.section} is refused: ${c.why}`, () => {
    assert.deepEqual(errorsOf(`${VALID}compression: ${c.section}\n`), [c.error]);
  });
}

test('a route\'s compression must be a boolean', () => {
  assert.deepEqual(errorsOf(VALID.replace('  - id: b\n', '  - id: b\n    compression: gzip\n')), ['gw.yaml:13:18 routes[1].compression: expected true or false, got "gzip"']);
});

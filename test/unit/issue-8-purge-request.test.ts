import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePurgeRequest, type PurgeRequest } from '../../gateway/api/admin/purge-request.js';

/** POST /admin/cache/purge bodies: exactly one form, checked whole before anything is purged. */
describe('parsePurgeRequest', () => {
  const accepted: { description: string; body: unknown; request: PurgeRequest }[] = [
    { description: 'tags', body: { tags: ['portfolio:alice', 'risk'] }, request: { kind: 'tags', tags: ['portfolio:alice', 'risk'] } },
    { description: 'tags given twice count once', body: { tags: ['a', 'a', 'b'] }, request: { kind: 'tags', tags: ['a', 'b'] } },
    { description: 'a path, every principal', body: { path: '/api/portfolio' }, request: { kind: 'path', path: '/api/portfolio', principal: undefined } },
    { description: 'a path is normalized as the cache keys it', body: { path: '/api/./dashboard//%74rading' }, request: { kind: 'path', path: '/api/dashboard/trading', principal: undefined } },
    { description: 'a path and one principal', body: { path: '/api/portfolio', principal: { id: 'alice', method: 'jwt' } }, request: { kind: 'path', path: '/api/portfolio', principal: { id: 'alice', method: 'jwt' } } },
    { description: 'a path and an API key principal', body: { path: '/api/portfolio', principal: { id: 'trading-bot', method: 'apiKey' } }, request: { kind: 'path', path: '/api/portfolio', principal: { id: 'trading-bot', method: 'apiKey' } } },
    { description: 'everything', body: { all: true }, request: { kind: 'all' } },
  ];
  for (const row of accepted) {
    test(`accepts ${row.description}`, () => {
      assert.deepEqual(parsePurgeRequest(row.body), { ok: true, request: row.request });
    });
  }

  const refused: { description: string; body: unknown; says: RegExp }[] = [
    { description: 'no body (another content type)', body: undefined, says: /expected a JSON object \(Content-Type: application\/json\)/ },
    { description: 'a list', body: [{ all: true }], says: /expected a JSON object/ },
    { description: 'null', body: null, says: /expected a JSON object/ },
    { description: 'no form', body: {}, says: /expected exactly one of/ },
    { description: 'two forms', body: { tags: ['a'], path: '/x' }, says: /got tags and path/ },
    { description: 'a key of no form, named', body: { paths: ['/x'] }, says: /unknown key "paths"/ },
    { description: 'a prototype key is just an unknown key', body: JSON.parse('{"__proto__": {"all": true}}') as unknown, says: /unknown key "__proto__"/ },
    { description: 'a principal alone', body: { principal: { id: 'a', method: 'jwt' } }, says: /expected exactly one of/ },
    { description: 'a principal with tags', body: { tags: ['a'], principal: { id: 'a', method: 'jwt' } }, says: /"principal" goes with "path" only/ },
    { description: 'all: "yes"', body: { all: 'yes' }, says: /"all" must be true/ },
    { description: 'all: false', body: { all: false }, says: /"all" must be true/ },
    { description: 'tags as a string', body: { tags: 'a' }, says: /non-empty list/ },
    { description: 'no tags', body: { tags: [] }, says: /non-empty list/ },
    { description: 'an empty tag', body: { tags: [''] }, says: /every tag must be a string of 1 to 256/ },
    { description: 'a tag that is a number', body: { tags: [7] }, says: /every tag must be a string/ },
    { description: 'a tag with a newline', body: { tags: ['a\nb'] }, says: /without control characters/ },
    { description: 'a tag too long', body: { tags: ['x'.repeat(257)] }, says: /1 to 256/ },
    { description: 'too many tags', body: { tags: Array.from({ length: 101 }, (_, i) => `t${i}`) }, says: /at most 100 tags/ },
    { description: 'a path that is not one', body: { path: 'api/portfolio' }, says: /"path": path must start with "\/"/ },
    { description: 'a path with an encoded slash', body: { path: '/api/a%2Fb' }, says: /"path": / },
    { description: 'a path climbing above the root', body: { path: '/../etc' }, says: /"path": / },
    { description: 'a path with a query', body: { path: '/api/x?a=1' }, says: /takes no query string/ },
    { description: 'a path that is a number', body: { path: 7 }, says: /"path" must be a path like/ },
    { description: 'a principal that is a string', body: { path: '/x', principal: 'alice' }, says: /"principal" must be \{"id"/ },
    { description: 'a principal without id', body: { path: '/x', principal: { method: 'jwt' } }, says: /"principal.id"/ },
    { description: 'a principal with another method', body: { path: '/x', principal: { id: 'a', method: 'password' } }, says: /"principal.method" must be "jwt"/ },
    { description: 'a principal with a stray key', body: { path: '/x', principal: { id: 'a', method: 'jwt', roles: ['admin'] } }, says: /unknown key "roles" in "principal"/ },
  ];
  for (const row of refused) {
    test(`refuses ${row.description}`, () => {
      const result = parsePurgeRequest(row.body);
      assert.equal(result.ok, false);
      assert.match((result as { problem: string }).problem, row.says);
    });
  }
});

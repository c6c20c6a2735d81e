import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RouteTable, type MatchableRoute } from '../../gateway/config/route-table.js';

const route = (id: string, kind: MatchableRoute['kind'], path: string, methods?: string[]): MatchableRoute =>
  ({ id, kind, path, methods: methods ? new Set(methods) : null });

const table = new RouteTable([
  route('prefix-api', 'prefix', '/api'),
  route('prefix-orders', 'prefix', '/api/orders'),
  route('pattern-order', 'pattern', '/api/orders/:id'),
  route('pattern-order-fills', 'pattern', '/api/orders/:id/fills'),
  route('pattern-literal', 'pattern', '/api/orders/:id/status'),
  route('pattern-two', 'pattern', '/api/:kind/:id/status'),
  route('exact-latest', 'exact', '/api/orders/latest'),
  route('exact-get', 'exact', '/api/things', ['GET']),
  route('exact-post', 'exact', '/api/things', ['POST']),
]);

const cases: { path: string; method?: string; id: string | null; params?: Record<string, string>; allow?: string[]; why: string }[] = [
  { path: '/api/orders/latest', id: 'exact-latest', why: 'exact beats a pattern that also matches' },
  { path: '/api/orders/42', id: 'pattern-order', params: { id: '42' }, why: 'pattern beats a longer prefix' },
  { path: '/api/orders/42/status', id: 'pattern-literal', params: { id: '42' }, why: 'more literal segments win among patterns' },
  { path: '/api/trades/7/status', id: 'pattern-two', params: { kind: 'trades', id: '7' }, why: 'two params' },
  { path: '/api/orders/42/fills', id: 'pattern-order-fills', why: 'pattern segment count must match' },
  { path: '/api/orders/42/x/y', id: 'prefix-orders', why: 'no pattern fits: longest prefix' },
  { path: '/api/orders', id: 'prefix-orders', why: 'prefix matches itself' },
  { path: '/api/ordersx', id: 'prefix-api', why: 'prefix only on segment boundaries' },
  { path: '/apix', id: null, why: 'no match' },
  { path: '/api/things', method: 'POST', id: 'exact-post', why: 'method picks between same-path routes' },
  { path: '/api/things', method: 'DELETE', id: 'prefix-api', why: 'a broader route that allows the method is used' },
];

for (const c of cases) {
  test(`route ${c.method ?? 'GET'} ${c.path}: ${c.why}`, () => {
    const m = table.match(c.path, c.method ?? 'GET');
    if (c.id === null) {
      assert.equal(m.found, false);
      return;
    }
    assert.equal(m.found, true);
    if (!m.found) return;
    assert.equal(m.route.id, c.id);
    if (c.params) assert.deepEqual(m.params, c.params);
  });
}

test('route table: path matched but no method allowed gives the Allow list', () => {
  const t = new RouteTable([route('g', 'exact', '/x', ['GET', 'HEAD']), route('p', 'exact', '/x', ['POST'])]);
  const m = t.match('/x', 'DELETE');
  assert.equal(m.found, false);
  if (m.found) return;
  assert.deepEqual(m.allow?.sort(), ['GET', 'HEAD', 'POST']);
  const none = t.match('/y', 'GET');
  assert.equal(!none.found && none.allow, null);
});

test('route table: root prefix catches everything', () => {
  const t = new RouteTable([route('root', 'prefix', '/')]);
  const m = t.match('/anything/at/all', 'GET');
  assert.equal(m.found && m.route.id, 'root');
});

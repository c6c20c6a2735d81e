import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { BASE_CONFIG, startMockAndGateway, stopAll, type GatewayHandle } from '../helpers/gateway.js';
import type { MockHandle } from '../helpers/upstream-mock.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 9, W3C Trace Context: the backend always gets one traceparent (the client's trace
 * continued, or a new one), tracestate only beside a continued one, and the access log the trace id.
 */
const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const P = '00f067aa0ba902b7';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

const CONFIG = BASE_CONFIG.replace('  - id: portfolio\n    auth: none\n    path: /api/portfolio\n    methods: [GET]\n',
  '  - id: portfolio\n    auth: none\n    path: /api/portfolio\n    methods: [GET]\n    cache: { ttl: 5m, scope: shared }\n');

describe('issue 9: traceparent to the backend, trace_id in the access log', () => {
  let mock: MockHandle;
  let gw: GatewayHandle;
  before(async () => ({ mock, gw } = await startMockAndGateway({ config: CONFIG })));
  after(() => stopAll(gw, mock));

  /** The trace fields the backend got for the last request to `path` (every line of each). */
  const sent = async (path: string) => {
    const raw = (await mock.last(path))!.rawHeaders;
    const values = (name: string) => raw.filter((_, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === name);
    return { traceparent: values('traceparent'), tracestate: values('tracestate') };
  };
  const accessLine = async (requestId: string) => {
    let line: Record<string, unknown> | undefined;
    await waitUntil(() => (line = gw.logs().find((l) => l.kind === 'access' && l.request_id === requestId)) !== undefined, `access line ${requestId}`);
    return line!;
  };

  test('a valid traceparent is continued: same trace id, the gateway\'s own parent id, flags kept; tracestate passed on', async () => {
    const res = await gw.request('/health', { headers: { traceparent: `00-${T}-${P}-01`, tracestate: 'congo=t61rcWkgMzE' } });
    assert.equal(res.status, 200);
    const { traceparent, tracestate } = await sent('/health');
    assert.equal(traceparent.length, 1);
    const [, traceId, parentId, flags] = TRACEPARENT.exec(traceparent[0]!)!;
    assert.equal(traceId, T);
    assert.notEqual(parentId, P);
    assert.equal(flags, '01');
    assert.deepEqual(tracestate, ['congo=t61rcWkgMzE']);
    assert.equal((await accessLine(String(res.headers['x-request-id']))).trace_id, T);
  });

  test('an invalid traceparent (all-zero trace id) is replaced by a new trace, and its tracestate dropped', async () => {
    const res = await gw.request('/health', { headers: { traceparent: `00-${'0'.repeat(32)}-${P}-01`, tracestate: 'congo=t61rcWkgMzE' } });
    const { traceparent, tracestate } = await sent('/health');
    assert.equal(traceparent.length, 1);
    const [, traceId, parentId, flags] = TRACEPARENT.exec(traceparent[0]!)!;
    assert.notEqual(traceId, '0'.repeat(32));
    assert.notEqual(parentId, P);
    assert.equal(flags, '02');
    assert.deepEqual(tracestate, []);
    assert.equal((await accessLine(String(res.headers['x-request-id']))).trace_id, traceId);
  });

  test('no traceparent: the backend still gets one, and each request its own trace', async () => {
    const a = await gw.request('/health');
    const first = TRACEPARENT.exec((await sent('/health')).traceparent[0]!)![1];
    await gw.request('/health');
    const second = TRACEPARENT.exec((await sent('/health')).traceparent[0]!)![1];
    assert.notEqual(first, second);
    assert.equal((await accessLine(String(a.headers['x-request-id']))).trace_id, first);
  });

  test('two traceparent fields are no valid one: a new trace', async () => {
    await gw.request('/health', { headers: { traceparent: [`00-${T}-${P}-01`, `00-${T}-${P}-01`] } });
    const { traceparent } = await sent('/health');
    assert.equal(traceparent.length, 1);
    assert.notEqual(TRACEPARENT.exec(traceparent[0]!)![1], T);
  });

  test('a cache fill carries the filling request\'s traceparent, never the client\'s tracestate', async () => {
    const res = await gw.request('/api/portfolio', { headers: { traceparent: `00-${T}-${P}-01`, tracestate: 'congo=t61rcWkgMzE' } });
    assert.equal(res.headers['x-cache'], 'MISS');
    const { traceparent, tracestate } = await sent('/api/portfolio');
    assert.equal(traceparent.length, 1);
    assert.equal(TRACEPARENT.exec(traceparent[0]!)![1], T);
    assert.deepEqual(tracestate, []);
  });

  test('a WebSocket handshake carries a traceparent too, and its log line the trace id', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${gw.httpsPort}/ws/prices`, { ca: gw.ca, servername: 'localhost', headers: { traceparent: `00-${T}-${P}-01` } } as WebSocket.ClientOptions);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.close();
    const { traceparent } = await sent('/ws/prices');
    assert.equal(TRACEPARENT.exec(traceparent[0]!)![1], T);
    await waitUntil(() => gw.logs().some((l) => l.kind === 'access' && l.upgrade === 'websocket' && l.trace_id === T), 'the handshake\'s access line');
  });
});

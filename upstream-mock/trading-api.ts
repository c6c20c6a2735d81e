import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The legacy trading API as the gateway sees it: FastAPI-style JSON, `{"detail": ...}` errors,
 * identity taken on trust from X-User-Id (the reason the gateway must own that header).
 */
export interface Order {
  id: string;
  user: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  quantity: number;
  price: number | null;
  status: 'accepted';
  created_at: string;
}

const SYMBOLS: Record<string, number> = { BTC: 67_000, ETH: 3_400, SOL: 150, AAPL: 190, MSFT: 410, TSLA: 240 };

export class TradingApi {
  readonly orders: Order[] = [];
  private tick = 0;

  prices(symbols: string[]): Record<string, number> {
    this.tick += 1;
    const out: Record<string, number> = {};
    for (const s of symbols) {
      const base = SYMBOLS[s];
      if (base !== undefined) out[s] = Math.round(base * (1 + 0.001 * Math.sin(this.tick + s.length)) * 100) / 100;
    }
    return out;
  }

  handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, body: Buffer): boolean {
    const user = typeof req.headers['x-user-id'] === 'string' ? req.headers['x-user-id'] : undefined;
    // Starlette answers HEAD wherever it answers GET; Node drops the body.
    const route = `${req.method === 'HEAD' ? 'GET' : req.method} ${path}`;
    switch (route) {
      case 'GET /health':
        return json(res, 200, { status: 'healthy', version: '1.4.2' });
      case 'GET /api/dashboard/overview':
        return json(res, 200, { total_value: 1_254_300.12, daily_pnl: 3_210.55, open_positions: 12, as_of: new Date().toISOString() });
      case 'GET /api/dashboard/trading':
        return json(res, 200, { orders_today: this.orders.length, fill_rate: 0.97, volume: 84_200_000, strategies: ['momentum', 'mean-reversion'] });
      case 'GET /api/dashboard/risk':
        return json(res, 200, { var_95: 42_000, max_drawdown: 0.083, exposure: { crypto: 0.41, equities: 0.59 } });
      case 'GET /api/portfolio':
        if (!user) return json(res, 401, { detail: 'Not authenticated' });
        return json(res, 200, { user, positions: [{ symbol: 'BTC', quantity: 1.5 }, { symbol: 'AAPL', quantity: 40 }], cash: 25_000 });
      case 'GET /api/market/prices': {
        const symbols = (query.get('symbols') ?? 'BTC,ETH').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
        return json(res, 200, { prices: this.prices(symbols), as_of: new Date().toISOString() });
      }
      case 'GET /api/trading/orders':
        return json(res, 200, { orders: this.orders.filter((o) => user === undefined || o.user === user) });
      case 'POST /api/trading/orders':
        return this.createOrder(res, body, user ?? 'anonymous');
      default:
        return false;
    }
  }

  private createOrder(res: ServerResponse, body: Buffer, user: string): boolean {
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return json(res, 422, { detail: [{ loc: ['body'], msg: 'invalid JSON', type: 'value_error.json' }] });
    }
    const errors: { loc: string[]; msg: string }[] = [];
    const symbol = typeof input.symbol === 'string' ? input.symbol.toUpperCase() : '';
    if (!(symbol in SYMBOLS)) errors.push({ loc: ['body', 'symbol'], msg: 'unknown symbol' });
    if (input.side !== 'buy' && input.side !== 'sell') errors.push({ loc: ['body', 'side'], msg: 'must be "buy" or "sell"' });
    const type = input.type ?? 'market';
    if (type !== 'market' && type !== 'limit') errors.push({ loc: ['body', 'type'], msg: 'must be "market" or "limit"' });
    if (typeof input.quantity !== 'number' || !(input.quantity > 0)) errors.push({ loc: ['body', 'quantity'], msg: 'must be a positive number' });
    if (type === 'limit' && (typeof input.price !== 'number' || !(input.price > 0))) errors.push({ loc: ['body', 'price'], msg: 'a limit order needs a positive price' });
    if (errors.length > 0) return json(res, 422, { detail: errors });
    const order: Order = {
      id: randomUUID(), user, symbol, side: input.side as Order['side'], type: type as Order['type'],
      quantity: input.quantity as number, price: typeof input.price === 'number' ? input.price : null,
      status: 'accepted', created_at: new Date().toISOString(),
    };
    this.orders.push(order);
    return json(res, 201, order);
  }
}

export function json(res: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), server: 'uvicorn' });
  res.end(text);
  return true;
}

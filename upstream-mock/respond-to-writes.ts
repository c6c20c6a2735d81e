import type { IncomingMessage, ServerResponse } from 'node:http';

const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * /__mock/respond for requests with a body (POST, PUT, PATCH, DELETE): the body is read, the
 * request counted as `<METHOD> <path>` like a backend endpoint's (a test proves with it what
 * reached the backend), then answered as the query asks (`status`, `header=name:value`, `body`).
 * false when the request is not one of these.
 */
export function respondToWrite(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  count: (key: string) => void,
  respond: (res: ServerResponse, query: URLSearchParams) => void,
): boolean {
  if (!WRITES.has(req.method ?? '') || !url.pathname.startsWith('/__mock/respond')) return false;
  count(`${req.method} ${url.pathname}`);
  req.resume();
  req.on('end', () => respond(res, url.searchParams));
  req.on('error', () => req.socket.destroy());
  return true;
}

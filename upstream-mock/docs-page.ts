import type { ServerResponse } from 'node:http';

/** A Swagger-UI-like page: HTML that loads a script and a stylesheet from the same origin. */
const HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Trading API - docs</title>
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui">Loading API documentation...</div>
  <script src="/api/docs/swagger-ui.js"></script>
</body>
</html>
`;
const CSS = '#swagger-ui { font-family: sans-serif; padding: 2em; } .ready { color: #060; }\n';
const JS = `document.getElementById('swagger-ui').textContent = 'Trading API 1.4.2: /api/dashboard, /api/portfolio, /api/market/prices, /api/trading/orders';
document.getElementById('swagger-ui').className = 'ready';
`;

export function serveDocs(res: ServerResponse, path: string): boolean {
  const files: Record<string, [string, string]> = {
    '/api/docs': ['text/html; charset=utf-8', HTML],
    '/api/docs/swagger-ui.css': ['text/css', CSS],
    '/api/docs/swagger-ui.js': ['application/javascript', JS],
  };
  const file = files[path];
  if (!file) return false;
  res.writeHead(200, { 'content-type': file[0], 'content-length': Buffer.byteLength(file[1]), server: 'uvicorn', 'x-powered-by': 'legacy-stack' });
  res.end(file[1]);
  return true;
}

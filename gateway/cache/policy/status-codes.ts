/**
 * RFC 9110 15.1: status codes "heuristically cacheable" (RFC 9111 4.2.2 may give them a
 * heuristic freshness lifetime when the response has no explicit one).
 */
export const HEURISTICALLY_CACHEABLE: ReadonlySet<number> = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);

/**
 * Final status codes (RFC 9111 3: "the response status code is final") this cache understands,
 * i.e. can store and replay whole: those RFC 9110 section 15 defines, minus
 * - 206: a partial response needs range combination (3.3, 3.4), which this cache does not do;
 * - 304: it updates a stored response (4.3.4), it is never stored itself;
 * - 407: its Proxy-Authenticate is for this hop and never stored (3.1), so a replay would be broken.
 * 1xx are not final. Unknown codes (299, 599...) are not understood, which also settles
 * must-understand (5.2.2.3): "a cache that doesn't understand the status code MUST NOT store it".
 */
export const UNDERSTOOD_STATUSES: ReadonlySet<number> = new Set([
  200, 201, 202, 203, 204, 205,
  300, 301, 302, 303, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 426,
  500, 501, 502, 503, 504, 505,
]);

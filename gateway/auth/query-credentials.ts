/**
 * Query parameters that would put a credential into logs, caches and Referer headers. Names are
 * compared as a backend reads them: percent-decoded (`access%5Ftoken` is `access_token` to
 * Starlette, Express and PHP alike) and, here, without regard to case.
 */
const CREDENTIAL_NAMES: ReadonlySet<string> = new Set(['api_key', 'apikey', 'api-key', 'x-api-key', 'access_token', 'token']);
/** The common case, one scan and no allocation: names written without escapes. */
const PLAIN = /[?&](api_key|apikey|api-key|x-api-key|access_token|token)=/i;

/** Whether `query` ('' or '?a=b&...') carries a credential parameter, under any spelling a backend decodes to one. */
export function hasQueryCredential(query: string): boolean {
  if (PLAIN.test(query)) return true;
  // Without a '%' every name is as written, and PLAIN has seen them all.
  if (!query.includes('%')) return false;
  for (const pair of query.slice(1).split('&')) {
    const eq = pair.indexOf('=');
    // `api_key%3D<key>` has no '=' to a backend, but it carries the key all the same.
    const name = decodedName(eq > 0 ? pair.slice(0, eq) : pair).toLowerCase();
    const decodedEq = name.indexOf('=');
    if (CREDENTIAL_NAMES.has(decodedEq === -1 ? name : name.slice(0, decodedEq))) return true;
  }
  return false;
}

/**
 * A parameter name with its ASCII escapes decoded (`%5F` → `_`). Never throws: a malformed or
 * non-ASCII escape stays as written, which no credential name contains (what a lenient decoder
 * such as Python's unquote does with it cannot spell one either). One level only, as backends decode.
 */
export function decodedName(raw: string): string {
  return raw.includes('%') ? raw.replace(/%([0-7][0-9A-Fa-f])/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : raw;
}

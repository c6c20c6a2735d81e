import { normalizeTarget } from '../../pipeline/normalize-path.js';

/** What POST /admin/cache/purge asks for: exactly one of three forms. */
export type PurgeRequest =
  | { readonly kind: 'tags'; readonly tags: readonly string[] }
  | { readonly kind: 'path'; readonly path: string; readonly principal: { readonly id: string; readonly method: 'jwt' | 'apiKey' } | undefined }
  | { readonly kind: 'all' };

export type PurgeParse = { ok: true; request: PurgeRequest } | { ok: false; problem: string };

const FORMS = '{"tags": [...]}, {"path": "/api/..."} (optionally with "principal": {"id", "method"}) or {"all": true}';
const KEYS = new Set(['tags', 'path', 'all', 'principal']);
const MAX_TAGS = 100;
const MAX_TAG = 256;
const MAX_PATH = 2048;
const MAX_ID = 256;
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * A purge body checked whole before anything is purged: a typo must be a 400 that names it,
 * never a purge of something else (or of nothing, answered as success). Pure; table-tested.
 */
export function parsePurgeRequest(body: unknown): PurgeParse {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return no(`expected a JSON object (Content-Type: application/json), one of ${FORMS}`);
  }
  const b = body as Record<string, unknown>;
  const stray = Object.keys(b).find((k) => !KEYS.has(k));
  if (stray !== undefined) return no(`unknown key ${JSON.stringify(stray.slice(0, 64))}: expected one of ${FORMS}`);
  const forms = ['tags', 'path', 'all'].filter((k) => Object.hasOwn(b, k));
  if (forms.length !== 1) return no(`expected exactly one of ${FORMS}${forms.length > 1 ? `; got ${forms.join(' and ')}` : ''}`);
  if (Object.hasOwn(b, 'principal') && forms[0] !== 'path') return no('"principal" goes with "path" only');
  switch (forms[0]) {
    case 'all':
      return b.all === true ? { ok: true, request: { kind: 'all' } } : no('"all" must be true');
    case 'tags':
      return tagsOf(b.tags);
    default:
      return pathOf(b.path, b.principal);
  }
}

function tagsOf(value: unknown): PurgeParse {
  if (!Array.isArray(value) || value.length === 0) return no('"tags" must be a non-empty list of tag names');
  if (value.length > MAX_TAGS) return no(`"tags" takes at most ${MAX_TAGS} tags per request`);
  for (const tag of value) {
    if (typeof tag !== 'string' || tag.length === 0 || tag.length > MAX_TAG || CONTROL.test(tag)) {
      return no(`every tag must be a string of 1 to ${MAX_TAG} characters without control characters`);
    }
  }
  return { ok: true, request: { kind: 'tags', tags: [...new Set(value as string[])] } };
}

function pathOf(value: unknown, principal: unknown): PurgeParse {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PATH) return no(`"path" must be a path like "/api/portfolio", at most ${MAX_PATH} characters`);
  // The cache keys on the normalized path: "/api/./x" and "/api/x" are one entry, so one purge.
  const target = normalizeTarget(value);
  if (!target.ok) return no(`"path": ${target.reason}`);
  if (target.query !== '') return no('"path" takes no query string: the entries of every query string of the path are purged');
  if (principal === undefined) return { ok: true, request: { kind: 'path', path: target.path, principal: undefined } };
  if (principal === null || typeof principal !== 'object' || Array.isArray(principal)) return no('"principal" must be {"id": ..., "method": "jwt" | "apiKey"}');
  const { id, method, ...rest } = principal as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) return no(`unknown key ${JSON.stringify(extra.slice(0, 64))} in "principal": expected "id" and "method"`);
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID || CONTROL.test(id)) return no(`"principal.id" must be a user or API key name of 1 to ${MAX_ID} characters`);
  if (method !== 'jwt' && method !== 'apiKey') return no('"principal.method" must be "jwt" (a user) or "apiKey" (an API key)');
  return { ok: true, request: { kind: 'path', path: target.path, principal: { id, method } } };
}

function no(problem: string): PurgeParse {
  return { ok: false, problem };
}

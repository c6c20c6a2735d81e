import type { core as zcore } from 'zod';
import { SECTIONS, type RawConfig } from './schema.js';
import { checkAcme } from './schema/acme.js';
import { checkAuthSecrets, checkDirectoryStore } from './schema/auth.js';
import { checkRoutes, INVALID, type Parsed } from './schema/check-routes.js';
import { checkAdminListener } from './schema/listeners.js';
import type { PathIssue } from './schema/path-issue.js';
import { checkUpstreams } from './schema/upstream.js';
import { routeSchema, type RawRoute } from './schema/route.js';
import { checkWorkers } from './schema/workers.js';
import type { SecretsMode } from './secrets.js';

export type Validation = { ok: true; raw: RawConfig } | { ok: false; issues: PathIssue[] };

type SectionName = keyof typeof SECTIONS;
const NAMES = Object.keys(SECTIONS) as SectionName[];

/**
 * The whole document checked in one pass: each section and each route on its own, then the
 * rules across them on whatever parsed. A typo in `tls` no longer hides a duplicate route id.
 */
export function validateConfig(input: unknown, mode: SecretsMode): Validation {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, issues: [{ path: [], message: 'expected a mapping of sections (listeners, tls, upstream, routes ...)' }] };
  }
  const doc = input as Record<string, unknown>;
  const issues: PathIssue[] = Object.keys(doc)
    .filter((k) => !(k in SECTIONS))
    .map((k) => ({ path: [k], message: `unknown key "${k}"`, at: 'key' as const }));

  const parsed: Partial<Record<SectionName, unknown>> = {};
  for (const name of NAMES) {
    if (name === 'routes') continue;
    const result = SECTIONS[name].safeParse(doc[name]);
    if (result.success) parsed[name] = result.data;
    else issues.push(...fromZod(result.error.issues, [name]));
  }
  const routes = parseRoutes(doc.routes, issues);
  const section = <K extends SectionName>(name: K): Parsed<RawConfig[K]> => (name in parsed ? parsed[name] as RawConfig[K] : INVALID);

  const auth = section('auth');
  const rateLimits = section('rateLimits');
  issues.push(...checkRoutes(routes, auth, rateLimits, section('cache')));
  if (auth !== undefined && auth !== INVALID) issues.push(...checkAuthSecrets(auth, mode));
  const listeners = section('listeners');
  // A broken auth section has its own errors; "needs auth" would only echo them.
  if (listeners !== undefined && listeners !== INVALID && auth !== INVALID) issues.push(...checkAdminListener(listeners, auth !== undefined));
  const upstream = section('upstream');
  const upstreams = section('upstreams');
  issues.push(...checkUpstreams(upstream === INVALID ? null : upstream, upstreams === INVALID ? null : upstreams, routes));
  const tls = section('tls');
  const hosts = section('hosts');
  if (tls !== undefined && tls !== INVALID && listeners !== undefined && listeners !== INVALID && hosts !== undefined && hosts !== INVALID) issues.push(...checkAcme(tls, listeners.http !== undefined, hosts));

  const workers = section('workers');
  const store = section('store');
  if (workers !== undefined && workers !== INVALID && store !== undefined && store !== INVALID) issues.push(...checkWorkers(workers, store));
  if (auth !== undefined && auth !== INVALID && store !== undefined && store !== INVALID) issues.push(...checkDirectoryStore(auth, store));

  if (issues.length > 0) return { ok: false, issues };
  // Every section parsed (else an issue above): together they are the configSchema's output.
  return { ok: true, raw: { ...parsed, routes } as RawConfig };
}

/** Each route parsed alone, so one bad route leaves the others to the cross-route checks. */
function parseRoutes(input: unknown, issues: PathIssue[]): (RawRoute | undefined)[] {
  if (!Array.isArray(input)) {
    issues.push({ path: ['routes'], message: 'expected a list of routes' });
    return [];
  }
  if (input.length === 0) issues.push({ path: ['routes'], message: 'expected at least one route' });
  return input.map((item, i) => {
    const result = routeSchema.safeParse(item);
    if (result.success) return result.data;
    issues.push(...fromZod(result.error.issues, ['routes', i]));
    return undefined;
  });
}

/**
 * zod's issues as path issues. A failed union becomes the problems of the form the value has the
 * shape of (an object given for `{ mode, roles }`), or else the union's "expected A, B or C".
 */
function fromZod(zodIssues: readonly zcore.$ZodIssue[], prefix: readonly PropertyKey[]): PathIssue[] {
  return zodIssues.flatMap((issue): PathIssue[] => {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key "${key}"`, at: 'key' }));
      case 'invalid_key':
        // A record key that failed its own schema: report that schema's words, at the key.
        return [{ path, message: issue.issues[0]?.message ?? issue.message, at: 'key' }];
      case 'invalid_union': {
        const shaped = issue.errors.filter((branch) => !branch.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')));
        const [only, ...others] = shaped;
        return only && others.length === 0 ? fromZod(only, path) : [{ path, message: issue.message }];
      }
      default:
        return [{ path, message: issue.message }];
    }
  });
}

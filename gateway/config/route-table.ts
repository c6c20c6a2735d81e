/**
 * Route matching. Precedence, most specific first (docs/routes.md):
 *   1. exact paths;
 *   2. :param patterns, more literal segments first, then more segments;
 *   3. prefixes, longest first (a prefix matches on segment boundaries only).
 * Within a level the first route whose methods allow the request wins. When some route matches
 * the path but none allows the method, the answer is 405 with Allow.
 */
export interface MatchableRoute {
  readonly id: string;
  readonly kind: 'exact' | 'pattern' | 'prefix';
  readonly path: string;
  /** null: every method. */
  readonly methods: ReadonlySet<string> | null;
}

export type RouteMatch<R> =
  | { found: true; route: R; params: Record<string, string> }
  | { found: false; allow: string[] | null };

interface CompiledPattern<R> {
  route: R;
  segments: readonly string[];
  literals: number;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export class RouteTable<R extends MatchableRoute> {
  private readonly exact = new Map<string, R[]>();
  private readonly patterns: CompiledPattern<R>[] = [];
  private readonly prefixes: R[] = [];

  constructor(routes: readonly R[]) {
    for (const route of routes) {
      if (route.kind === 'exact') {
        const list = this.exact.get(route.path) ?? [];
        list.push(route);
        this.exact.set(route.path, list);
      } else if (route.kind === 'pattern') {
        const segments = route.path.split('/').slice(1);
        this.patterns.push({ route, segments, literals: segments.filter((s) => !s.startsWith(':')).length });
      } else {
        this.prefixes.push(route);
      }
    }
    // Stable sorts keep file order among equals.
    this.patterns.sort((a, b) => b.literals - a.literals || b.segments.length - a.segments.length);
    this.prefixes.sort((a, b) => b.path.length - a.path.length);
  }

  match(path: string, method: string): RouteMatch<R> {
    let allow: Set<string> | null = null;
    const consider = (route: R): boolean => {
      if (route.methods === null || route.methods.has(method)) return true;
      allow ??= new Set();
      for (const m of route.methods) allow.add(m);
      return false;
    };

    const exact = this.exact.get(path);
    if (exact) for (const r of exact) if (consider(r)) return { found: true, route: r, params: NO_PARAMS };

    if (this.patterns.length > 0) {
      const segments = path.split('/').slice(1);
      for (const p of this.patterns) {
        const params = matchPattern(p.segments, segments);
        if (params && consider(p.route)) return { found: true, route: p.route, params };
      }
    }

    for (const r of this.prefixes) {
      if (prefixMatches(r.path, path) && consider(r)) return { found: true, route: r, params: NO_PARAMS };
    }
    return { found: false, allow: allow ? [...(allow as Set<string>)] : null };
  }
}

function matchPattern(pattern: readonly string[], segments: readonly string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  let params: Record<string, string> | null = null;
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const got = segments[i]!;
    if (want.startsWith(':')) {
      if (got === '') return null;
      (params ??= {})[want.slice(1)] = got;
    } else if (want !== got) return null;
  }
  return params ?? {};
}

function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/') return true;
  return path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47 /* / */);
}

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { core as zcore } from 'zod';
import { ConfigError, formatPath, type ConfigIssue } from './config-error.js';
import { interpolate } from './interpolate.js';
import { configSchema, type RawConfig } from './schema.js';
import { compileConfig, type GatewayConfig } from './compile-config.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Read, interpolate, validate and compile a config file. Throws ConfigError with every issue found. */
export function loadConfig(file: string, env: Env = process.env): GatewayConfig {
  const shown = relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file: shown, line: 1, col: 1, path: '', message: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? 'error'}` }]);
  }
  return parseConfigText(text, shown, env);
}

export function parseConfigText(text: string, file: string, env: Env): GatewayConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lines.linePos(offset);

  if (doc.errors.length > 0) {
    // After the first syntax error the parser's further complaints are mostly echoes of it.
    throw new ConfigError(doc.errors.slice(0, 1).map((e) => {
      const { line, col } = at(e.pos[0]);
      return { file, line, col, path: '', message: e.message.split('\n')[0]! };
    }));
  }

  const issues: ConfigIssue[] = [];
  visit(doc, {
    Scalar(_key, node, path) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      const { value, missing } = interpolate(node.value, env);
      for (const name of missing) {
        const { line, col } = at(node.range?.[0] ?? 0);
        // Secrets get no hint to write a default into the file.
        const hint = /SECRET|KEY|PASSWORD|TOKEN/i.test(name) ? '' : ` (write \${${name}:-default})`;
        issues.push({ file, line, col, path: formatPath(pathOf(path)), message: `environment variable ${name} is not set and has no default${hint}` });
      }
      // An unquoted ${PORT:-8443} should read as the number it names, as YAML would read 8443.
      node.value = node.type === 'PLAIN' ? plainScalar(value) : value;
    },
  });
  if (issues.length > 0) throw new ConfigError(issues);

  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.flatMap((issue) => toConfigIssues(issue, doc, file, at)));
  }
  return compileConfig(parsed.data as RawConfig, { file, locate: (p) => locate(doc, p, file, at) });
}

function plainScalar(value: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

/** Keys of the YAML path a visitor is at, as the schema sees them. */
function pathOf(ancestors: readonly unknown[]): PropertyKey[] {
  const out: PropertyKey[] = [];
  for (let i = 0; i < ancestors.length - 1; i++) {
    const parent = ancestors[i];
    const child = ancestors[i + 1];
    if (isSeq(parent)) out.push(parent.items.indexOf(child as Node));
    else if (isMap(parent)) {
      const pair = child as { key?: unknown };
      if (isScalar(pair.key)) out.push(String(pair.key.value));
    }
  }
  return out;
}

type At = (offset: number) => { line: number; col: number };

function toConfigIssues(issue: zcore.$ZodIssue, doc: Document, file: string, at: At): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ ...locateKey(doc, [...issue.path, key], file, at), message: `unknown key "${key}"` }));
  }
  if (issue.code === 'invalid_key') {
    // A record key that failed its own schema: report that schema's words, at the key.
    return [{ ...locateKey(doc, issue.path, file, at), message: issue.issues[0]?.message ?? issue.message }];
  }
  return [{ ...locate(doc, issue.path, file, at), message: issue.message }];
}

/** The position of the deepest node on `path` that exists: a missing key points at its parent. */
function locate(doc: Document, path: readonly PropertyKey[], file: string, at: At): Omit<ConfigIssue, 'message'> {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as Node | undefined;
    const keyNode = depth > 0 ? keyNodeOf(doc, path.slice(0, depth)) : undefined;
    const range = (depth === path.length ? node?.range : undefined) ?? keyNode?.range ?? node?.range;
    if (range) {
      const { line, col } = at(range[0]);
      return { file, line, col, path: formatPath(path) };
    }
  }
  return { file, line: 1, col: 1, path: formatPath(path) };
}

/** The position of a mapping key itself (not its value): where an unknown or bad key is. */
function locateKey(doc: Document, path: readonly PropertyKey[], file: string, at: At): Omit<ConfigIssue, 'message'> {
  const keyNode = keyNodeOf(doc, path);
  return keyNode?.range ? { file, ...at(keyNode.range[0]), path: formatPath(path) } : locate(doc, path, file, at);
}

function keyNodeOf(doc: Document, path: readonly PropertyKey[]): Node | undefined {
  const parent = doc.getIn(path.slice(0, -1) as unknown[], true);
  if (!isMap(parent)) return undefined;
  const last = String(path[path.length - 1]);
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === last);
  return pair?.key as Node | undefined;
}

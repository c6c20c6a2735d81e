import { existsSync, readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { ConfigError, formatPath, type ConfigIssue } from './config-error.js';
import { interpolate } from './interpolate.js';
import type { PathIssue } from './schema/path-issue.js';
import { isGeneratedSecret, isSecretPath, type LoadOptions, type SecretsMode } from './secrets.js';
import { validateConfig } from './validate-config.js';
import { compileConfig, type GatewayConfig } from './compile-config.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Read, interpolate, validate and compile a config file. Throws ConfigError with every issue
 * found. `{ secrets: 'optional' }` is for commands that never sign or verify (listing users or
 * keys): unset or short secrets are then null in the result instead of errors. `file` is shown
 * in messages as given: relative stays relative, absolute stays absolute.
 */
export function loadConfig(file: string, env?: Env, options?: LoadOptions<'strict'>): GatewayConfig;
export function loadConfig(file: string, env: Env | undefined, options: LoadOptions<'optional'>): GatewayConfig<'optional'>;
export function loadConfig(file: string, env: Env = process.env, options: LoadOptions = {}): GatewayConfig<SecretsMode> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([{ file, line: 1, col: 1, path: '', message: code === 'ENOENT' ? 'cannot read file: it does not exist' : `cannot read file: ${code ?? 'error'}` }]);
  }
  return parse(text, file, env, options.secrets ?? 'strict', options.checkFiles ?? false);
}

export function parseConfigText(text: string, file: string, env: Env, options?: LoadOptions<'strict'>): GatewayConfig;
export function parseConfigText(text: string, file: string, env: Env, options: LoadOptions<'optional'>): GatewayConfig<'optional'>;
export function parseConfigText(text: string, file: string, env: Env, options: LoadOptions = {}): GatewayConfig<SecretsMode> {
  return parse(text, file, env, options.secrets ?? 'strict', options.checkFiles ?? false);
}

function parse(text: string, file: string, env: Env, secrets: SecretsMode, checkFiles: boolean): GatewayConfig<SecretsMode> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lines.linePos(offset);

  if (doc.errors.length > 0) {
    // After the first syntax error the parser's further complaints are mostly echoes of it.
    throw new ConfigError(doc.errors.slice(0, 1).map((e) => {
      const { line, col } = at(e.pos[0]);
      return { file, line, col, path: '', message: e.code === 'DUPLICATE_KEY' ? duplicateKeyMessage(text, e.pos[0]) : e.message.split('\n')[0]! };
    }));
  }

  const issues: ConfigIssue[] = [];
  /** Paths an unset variable emptied: the schema's complaint about the empty value would only echo it. */
  const emptied = new Set<string>();
  visit(doc, {
    Scalar(_key, node, ancestors) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      const { value, missing } = interpolate(node.value, env);
      const path = formatPath(pathOf(ancestors));
      const secret = isSecretPath(path);
      if (missing.length > 0) emptied.add(path);
      // Optional secrets: the value stays empty and compiles to null.
      for (const name of secret && secrets === 'optional' ? [] : missing) {
        const { line, col } = at(node.range?.[0] ?? 0);
        issues.push({ file, line, col, path, message: unsetMessage(name, path) });
      }
      // An unquoted ${PORT:-8443} should read as the number it names, as YAML would read 8443.
      node.value = node.type === 'PLAIN' ? plainScalar(value) : value;
    },
  });

  const result = validateConfig(doc.toJS() ?? {}, secrets);
  if (!result.ok) {
    const placed = result.issues.map((issue) => place(issue, doc, file, at));
    const fresh = placed.filter((i) => !emptied.has(i.path));
    // An optional secret left empty reports nothing itself: then the echoes are all there is to say.
    issues.push(...(issues.length === 0 && fresh.length === 0 ? placed : fresh));
  }
  if (issues.length > 0 || !result.ok) throw new ConfigError(issues.sort((a, b) => a.line - b.line || a.col - b.col));
  const config = compileConfig(result.raw, { file, secrets });
  if (checkFiles) {
    const missing = missingFiles(config).map((m) => ({ ...locate(doc, m.path, file, at), message: m.message }));
    if (missing.length > 0) throw new ConfigError(missing.sort((a, b) => a.line - b.line || a.col - b.col));
  }
  return config;
}

/**
 * Files the config names that `serve` needs and would refuse to start without, checked only
 * when asked (`gateway check`): a running gateway re-reads them on its own terms. Paths are
 * resolved against the working directory, as `serve` resolves them.
 */
function missingFiles(config: GatewayConfig<SecretsMode>): { path: PropertyKey[]; message: string }[] {
  const wanted: { path: PropertyKey[]; file: string; hint?: string }[] = [];
  if (config.auth?.users?.source === 'file') wanted.push({ path: ['auth', 'users', 'file'], file: config.auth.users.file, hint: 'create it with "gateway users add NAME --role ROLE --config FILE"' });
  if (config.auth && config.auth.jwt.algorithm !== 'HS256') {
    wanted.push({ path: ['auth', 'jwt', 'privateKeyFile'], file: config.auth.jwt.privateKeyFile }, { path: ['auth', 'jwt', 'publicKeyFile'], file: config.auth.jwt.publicKeyFile });
  }
  if (config.tls.mode === 'files') wanted.push({ path: ['tls', 'cert'], file: config.tls.cert }, { path: ['tls', 'key'], file: config.tls.key });
  if (config.tls.mode === 'acme' && config.tls.caBundle !== null) wanted.push({ path: ['tls', 'caBundle'], file: config.tls.caBundle });
  return wanted.filter((w) => !existsSync(w.file)).map((w) => ({ path: w.path, message: `${w.file} does not exist${w.hint ? ` (${w.hint})` : ''}` }));
}

/** yaml says only "Map keys must be unique", at the second key: name it. */
function duplicateKeyMessage(text: string, offset: number): string {
  const key = /^("[^"\n]*"|'[^'\n]*'|[^:#\n]+?)\s*:/.exec(text.slice(offset, offset + 300))?.[1];
  return key === undefined ? 'a key appears twice in one mapping' : `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : `"${key}"`}: each key may appear once in a mapping`;
}

function unsetMessage(name: string, path: string): string {
  const unset = `environment variable ${name} is not set and has no default`;
  if (isGeneratedSecret(path)) {
    return `${unset}; set it to at least 32 random bytes (openssl rand -base64 48); \`npm start\` keeps the demo's in .demo/secrets.json`;
  }
  // Secrets get no hint to write a default into the file.
  return isSecretPath(path) || /SECRET|KEY|PASSWORD|TOKEN/i.test(name) ? unset : `${unset} (write \${${name}:-default})`;
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

function place(issue: PathIssue, doc: Document, file: string, at: At): ConfigIssue {
  const where = issue.at === 'key' ? locateKey(doc, issue.path, file, at) : locate(doc, issue.path, file, at);
  return { ...where, message: issue.message };
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

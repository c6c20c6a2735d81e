import assert from 'node:assert/strict';
import { ConfigError, formatIssue } from '../../gateway/config/config-error.js';
import { parseConfigText } from '../../gateway/config/load-config.js';
import type { LoadOptions } from '../../gateway/config/secrets.js';

/** The smallest valid file; config tests change one thing in it. */
export const VALID = `listeners:
  https:
    port: 8443
tls:
  mode: self-signed
upstream:
  url: http://127.0.0.1:8000
routes:
  - id: a
    path: /api/a
    auth: none
  - id: b
    prefix: /api/b
    methods: [GET]
    auth: none
`;

export const SECRET = 'x'.repeat(32);

/** VALID with an auth section whose secrets come from JWT_SECRET and API_KEY_SECRET. */
export const WITH_AUTH = `${VALID}  - id: c
    path: /api/c
    auth: required
auth:
  jwt: { secret: "\${JWT_SECRET}" }
  apiKeys: { file: keys.yaml, secret: "\${API_KEY_SECRET}" }
`;

/** Every issue of a file that must be rejected, formatted as the CLI prints them. */
export function errorsOf(text: string, env: Record<string, string> = {}, options: LoadOptions = {}): string[] {
  try {
    parseConfigText(text, 'gw.yaml', env, options as LoadOptions<'strict'>);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map(formatIssue);
  }
  assert.fail('expected the config to be rejected');
}

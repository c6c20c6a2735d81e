import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_TABLE } from '../../gateway/errors.js';
import { ROOT } from '../helpers/paths.js';

test('docs/errors.md has a row for every error code, with its status', () => {
  const doc = readFileSync(`${ROOT}docs/errors.md`, 'utf8');
  for (const [code, { status }] of Object.entries(ERROR_TABLE)) {
    assert.match(doc, new RegExp(`\\| \`${code.replace('.', '\\.')}\` \\| ${status} \\|`), `${code} (${status}) has no row`);
  }
});

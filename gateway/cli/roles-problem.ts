import { role } from '../config/schema/fields.js';
import { MAX_RECORD_ROLES } from '../auth/record-roles.js';

/**
 * What is wrong with the --role values, by the rule the gateway reads records with
 * (record-roles.ts), said before a password is asked for or a key made; null when they pass.
 * A long value is shown cut, so the message stays one line.
 */
export function rolesProblem(roles: readonly string[]): string | null {
  if (roles.length === 0) return 'give at least one --role';
  if (roles.length > MAX_RECORD_ROLES) return `at most ${MAX_RECORD_ROLES} --role values (got ${roles.length})`;
  const bad = roles.find((r) => !role.safeParse(r).success);
  if (bad === undefined) return null;
  const shown = bad.length > 40 ? `${JSON.stringify(bad.slice(0, 40))}… (${bad.length} characters)` : JSON.stringify(bad);
  return `--role ${shown}: a role name is 1-64 letters, digits, "_", ".", ":" or "-"`;
}

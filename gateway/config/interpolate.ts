/**
 * `${VAR}` and `${VAR:-default}` in YAML string scalars. Done on the parsed document (not the
 * raw text) so a value can never inject YAML structure, and errors keep their line and column.
 */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface InterpolationResult {
  value: string;
  missing: string[];
}

export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): InterpolationResult {
  const missing: string[] = [];
  const value = text.replace(REFERENCE, (_whole, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return '';
  });
  return { value, missing };
}

import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';

/** A YAML file checked against its schema; a missing file is the schema's empty document. */
export function readYamlFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  const parsed = schema.safeParse(existsSync(file) ? parse(readFileSync(file, 'utf8')) ?? {} : {});
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

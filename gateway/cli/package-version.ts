import { readFileSync } from 'node:fs';

/**
 * The version in package.json, read at run time: compiled to dist/gateway/cli/, the file sits
 * three levels up, in the repository and in the container image (/app/package.json) alike.
 */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

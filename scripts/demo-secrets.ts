import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPasswordHasher } from '../gateway/auth/password-hasher.js';
import { writeUsersFile } from '../gateway/auth/users-file.js';

export interface DemoSecrets {
  jwtSecret: string;
  apiKeySecret: string;
}

/**
 * First start: random secrets and three demo users with random passwords, printed once and
 * kept in `dir` (.demo/, git-ignored) so the README walkthrough can read them. Nothing is hard-coded.
 */
export async function demoSecrets(dir: string, say: (text: string) => void): Promise<DemoSecrets> {
  const secretsFile = join(dir, 'secrets.json');
  if (existsSync(secretsFile)) return JSON.parse(readFileSync(secretsFile, 'utf8')) as DemoSecrets;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made = { jwtSecret: randomBytes(48).toString('base64url'), apiKeySecret: randomBytes(48).toString('base64url') };
  const hasher = await createPasswordHasher({ memoryKiB: 19_456, iterations: 2, parallelism: 1 });
  const people = { trader: ['trader'], viewer: ['viewer'], admin: ['admin', 'trader'] } as const;
  const passwords: Record<string, string> = {};
  const users = [];
  for (const [username, roles] of Object.entries(people)) {
    passwords[username] = randomBytes(12).toString('base64url');
    users.push({ username, roles: [...roles], hash: await hasher.hash(passwords[username]!), disabled: false });
  }
  writeUsersFile(join(dir, 'users.yaml'), users);
  const credentialsFile = join(dir, 'demo-credentials.json');
  writeFileSync(credentialsFile, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(secretsFile, JSON.stringify(made), { mode: 0o600 });
  say(`demo users created (shown once; also in ${credentialsFile}):\n${Object.entries(passwords).map(([u, p]) => `  ${u.padEnd(7)} ${p}  roles: ${people[u as keyof typeof people].join(', ')}`).join('\n')}\n`);
  return made;
}

import { stringify } from 'yaml';
import { z } from 'zod';
import { writeFileAtomically } from '../files/atomic-write.js';
import { readYamlFile } from '../files/yaml-file.js';
import { recordRoles } from './record-roles.js';

/** users.yaml: who may log in. Only argon2id hashes are stored; no password ever is. */
export const userRecordSchema = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/),
  roles: recordRoles,
  hash: z.string().startsWith('$argon2'),
  disabled: z.boolean().default(false),
});
const fileSchema = z.strictObject({ users: z.array(userRecordSchema).default([]) });

export type UserRecord = z.output<typeof userRecordSchema>;

export function readUsersFile(file: string): UserRecord[] {
  return readYamlFile(file, fileSchema).users;
}

export function writeUsersFile(file: string, users: readonly UserRecord[]): void {
  writeFileAtomically(file, `# Managed by "gateway users"; hashes are argon2id, never passwords.\n${stringify({ users })}`);
}

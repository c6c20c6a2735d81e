import { z } from 'zod';
import { role } from '../config/schema/fields.js';

/** More roles than any route table names: a cap that keeps one record (read by every instance on every reload) small. */
export const MAX_RECORD_ROLES = 32;

/**
 * The roles of a user or API key record, by the rule routes name roles with (fields.ts): one
 * rule for the CLI that writes a record and the gateway that reads it, so a record the CLI
 * accepts is never one every instance then leaves out.
 */
export const recordRoles = z.array(role).max(MAX_RECORD_ROLES, `at most ${MAX_RECORD_ROLES} roles`).default([]);

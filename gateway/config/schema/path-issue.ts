/**
 * A problem at a path of the config document, before it has a line and column: load-config
 * places it. `at: 'key'` points at the mapping key itself (an unknown or badly named key).
 */
export interface PathIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly at?: 'key';
}

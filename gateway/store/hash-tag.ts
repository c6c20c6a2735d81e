/**
 * Redis Cluster hash tags (Redis Cluster specification, "Hash tags"): when a key holds a `{`
 * followed later by a `}` with at least one character between them, only that part is hashed to
 * pick the slot; otherwise the whole key is. Pure, table-tested (test/unit/issue-9-hash-tag.test.ts).
 */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  // "{}" (nothing between) does not count: the whole key is hashed.
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

/**
 * true when the keys are certain to share one slot, so one multi-key command (MGET, DEL) is
 * allowed on a Cluster: they hash the same text. Keys with different texts may still share a
 * slot by chance; that is not relied on.
 */
export function shareHashTag(keys: readonly string[]): boolean {
  if (keys.length <= 1) return true;
  const first = hashTag(keys[0]!);
  return keys.every((k) => hashTag(k) === first);
}

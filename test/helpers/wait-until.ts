/**
 * Polls `condition` until it holds. The limit only keeps a broken run from hanging: it is a
 * failure with `what` in the message, never a timing assertion.
 */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

import type { AcmeTlsConfig } from '../config/schema/listeners.js';
import type { AcmeChallenges } from './acme-challenges.js';
import type { AcmeFiles } from './acme-files.js';
import { createEcKey, type OrderCertificate } from './acme-order.js';
import type { AcmeSharedState } from './acme-shared-state.js';
import { servableFacts, type CertFacts } from './cert-facts.js';
import { retryDelay } from './renewal-plan.js';
import type { CertPair } from './self-signed-cert.js';

/** What one look at the certificate came to. Failures are outcomes too: nothing here throws. */
export type AttemptOutcome =
  | { kind: 'adopted'; pair: CertPair; facts: CertFacts }
  | { kind: 'issued'; pair: CertPair; facts: CertFacts }
  /** Another instance holds the order lock (ordering, or waiting out its failure). */
  | { kind: 'busy' }
  /** The store did not answer before the lock: nothing reached the CA, so no failure's backoff. */
  | { kind: 'store_down'; error: Error }
  | { kind: 'failed'; error: Error; failures: number; retryInMs: number };

export interface AttemptContext {
  readonly tls: AcmeTlsConfig;
  readonly files: AcmeFiles;
  readonly shared: AcmeSharedState;
  readonly challenges: AcmeChallenges;
  readonly order: OrderCertificate;
  readonly clock: () => number;
  readonly random: () => number;
  readonly retryDelays: readonly number[];
  /** How long the lock is held for an order: longer than any order takes. */
  readonly orderLockMs: number;
  /** The leaf now served, null while the temporary self-signed one is. */
  current(): CertFacts | null;
  /** Whether a certificate is inside this instance's renewal window. */
  due(facts: CertFacts): boolean;
  /** Failures in a row when the store cannot tell (it is down): this instance's own count. */
  localFailures: number;
}

/**
 * One step toward a fresh certificate, in the order that keeps a fleet to one order at a time:
 * take a newer pair another instance stored; else take the lock (SET NX) or report that
 * another holds it; look again under the lock; order; store the pair for the others. After a
 * failure the lock is kept for the retry wait, so the fleet waits it out together instead of
 * each instance failing in turn against the CA's limits.
 */
export async function attemptRenewal(ctx: AttemptContext): Promise<AttemptOutcome> {
  // Under the lock only: the count is the fleet's, and the lock is held for the wait.
  const failed = async (error: unknown): Promise<AttemptOutcome> => {
    const failures = (await ctx.shared.failures().catch(() => ctx.localFailures)) + 1;
    ctx.localFailures = failures;
    const retryInMs = retryDelay(failures, ctx.random(), ctx.retryDelays);
    await ctx.shared.setFailures(failures).catch(() => {});
    await ctx.shared.holdLock(retryInMs).catch(() => {});
    return { kind: 'failed', error: error instanceof Error ? error : new Error(String(error)), failures, retryInMs };
  };

  try {
    const stored = await newerStored(ctx);
    if (stored && !ctx.due(stored.facts)) return { kind: 'adopted', ...stored };
    if (!(await ctx.shared.tryLock(ctx.orderLockMs))) return { kind: 'busy' };
  } catch (err) {
    // The store is down: without the lock, every instance would order at once. The CA was not
    // asked, so its limits need no backoff: look again as soon as a lock poll would (a worker
    // starting before its Redis connection is up, a breaker open for a second).
    return { kind: 'store_down', error: err instanceof Error ? err : new Error(String(err)) };
  }

  try {
    const stored = await newerStored(ctx);
    if (stored && !ctx.due(stored.facts)) {
      await ctx.shared.unlock().catch(() => {});
      return { kind: 'adopted', ...stored };
    }
    const pair = await ctx.order({
      directory: ctx.tls.directory,
      caBundle: ctx.tls.caBundle,
      accountKey: await accountKey(ctx.files),
      email: ctx.tls.email,
      domains: ctx.tls.domains,
      publish: (token, keyAuthorization) => ctx.challenges.publish(token, keyAuthorization),
      withdraw: (token) => ctx.challenges.withdraw(token),
    });
    const now = ctx.clock();
    const facts = servableFacts(pair, ctx.tls.domains, now);
    if (!facts) throw new Error(`the CA's certificate does not cover ${ctx.tls.domains.join(', ')} now, or does not match its key`);
    ctx.files.writePair(pair);
    // The others read it from here; this instance serves it whether or not the store took it.
    await ctx.shared.writePair(pair, facts.notAfter - now).catch(() => {});
    await ctx.shared.setFailures(0).catch(() => {});
    await ctx.shared.unlock().catch(() => {});
    ctx.localFailures = 0;
    return { kind: 'issued', pair, facts };
  } catch (err) {
    return failed(err);
  }
}

/** A pair in the store that serves the domains and expires later than the one served now. */
async function newerStored(ctx: AttemptContext): Promise<{ pair: CertPair; facts: CertFacts } | null> {
  const pair = await ctx.shared.readPair();
  const facts = pair && servableFacts(pair, ctx.tls.domains, ctx.clock());
  const current = ctx.current();
  if (!pair || !facts || (current && facts.notAfter <= current.notAfter)) return null;
  return { pair, facts };
}

/** The account's key, made and kept (0600) on first use; the CA finds the account by it. */
async function accountKey(files: AcmeFiles): Promise<string> {
  const existing = files.readAccountKey();
  if (existing) return existing;
  const key = await createEcKey();
  files.writeAccountKey(key);
  return key;
}

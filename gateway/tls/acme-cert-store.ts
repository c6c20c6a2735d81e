import type { AcmeTlsConfig } from '../config/schema/listeners.js';
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/store.js';
import { attemptRenewal, type AttemptContext, type AttemptOutcome } from './acme-attempt.js';
import type { AcmeChallenges } from './acme-challenges.js';
import { acmeFiles } from './acme-files.js';
import { orderCertificate, type OrderCertificate } from './acme-order.js';
import { createAcmeSharedState } from './acme-shared-state.js';
import type { CertStore, RenewStart } from './cert-store.js';
import { servableFacts, type CertFacts } from './cert-facts.js';
import { MAX_TIMER_MS, renewalPlan, RETRY_DELAYS } from './renewal-plan.js';
import { ensureSelfSignedCert, type CertPair } from './self-signed-cert.js';

export interface AcmeDeps {
  readonly store: Store;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly challenges: AcmeChallenges;
  /** Tests give their own CA client; the gateway uses acme-order.ts. */
  readonly order?: OrderCertificate;
  readonly random?: () => number;
  readonly retryDelays?: readonly number[];
  /** Looks again this often while another instance holds the lock (±20%). */
  readonly lockPollMs?: number;
}

const ORDER_LOCK_MS = 10 * 60_000;

/**
 * Certificates from an ACME CA (RFC 8555) for `tls.domains`. At start it serves the best valid
 * pair of the disk and the store, else a temporary self-signed one; `watch` starts the work:
 * an order at once when nothing valid is served, then a renewal inside the window, each new
 * pair handed to the listeners (setSecureContext: open connections keep theirs).
 */
export async function createAcmeCertStore(tls: AcmeTlsConfig, deps: AcmeDeps): Promise<CertStore> {
  const { logger, clock } = deps;
  const random = deps.random ?? Math.random;
  const log = { kind: 'tls', directory: tls.directory, domains: tls.domains };
  const files = acmeFiles(tls.certDir, tls.directory);
  const shared = createAcmeSharedState(deps.store, tls.directory, tls.domains);
  // One draw per store: the same certificate keeps the same renewal time across the day's wake-ups.
  const jitter = random();
  const plan = (facts: CertFacts) => renewalPlan(facts, tls.renewBefore, jitter);

  const initial = await bestStored();
  let current: CertPair;
  let facts: CertFacts | null = initial?.facts ?? null;
  if (initial) {
    current = initial.pair;
    logger.info({ ...log, event: 'acme.loaded', source: initial.source, not_after: iso(initial.facts.notAfter), serial: initial.facts.serial }, 'acme: serving the stored certificate');
  } else {
    current = (await ensureSelfSignedCert(tls.certDir, tls.domains)).pair;
    logger.warn({ ...log, event: 'acme.temporary' }, 'acme: no valid certificate yet; serving a temporary self-signed one until the CA issues one');
  }

  let onChange: ((pair: CertPair) => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let started = false;
  let waiting = false;
  let warnedClamp = false;
  let storeDown = false;
  /** A tick is under way (an order, a look at the store): renewNow then has nothing to start. */
  let ticking = false;
  /**
   * Set by renewNow: the notAfter of the certificate served when it was asked (-Infinity for the
   * temporary one). Until a newer one is served, every certificate up to it counts as due, and
   * one past it (another process's order) is taken instead of ordered again.
   */
  let forcedFrom: number | null = null;
  const ctx: AttemptContext = {
    tls, files, shared, challenges: deps.challenges, order: deps.order ?? orderCertificate, clock, random,
    retryDelays: deps.retryDelays ?? RETRY_DELAYS, orderLockMs: ORDER_LOCK_MS, localFailures: 0,
    current: () => facts,
    due: (f) => (forcedFrom !== null ? f.notAfter <= forcedFrom : clock() >= plan(f).renewAt),
  };

  const schedule = (delayMs: number) => {
    if (closed) return;
    timer = setTimeout(() => {
      // Whatever goes wrong in here is logged and retried: the gateway never dies of its certificate.
      tick().catch((err: unknown) => {
        logger.error({ ...log, event: 'acme.failed', err: (err as Error).message }, 'acme: unexpected error; retrying later');
        schedule(ctx.retryDelays[0]!);
      });
    }, Math.min(MAX_TIMER_MS, Math.max(0, delayMs)));
    timer.unref();
  };
  const scheduleRenewal = () => {
    const next = plan(facts!);
    if (next.clamped && !warnedClamp) {
      warnedClamp = true;
      logger.warn({ ...log, event: 'acme.window_clamped', renew_before_ms: tls.renewBefore }, 'acme: renewBefore is not shorter than the certificate\'s lifetime; renewing when a third of it is left');
    }
    schedule(next.renewAt - clock());
  };
  const serve = (pair: CertPair, f: CertFacts) => {
    current = pair;
    facts = f;
    store.current = pair;
    onChange?.(pair);
  };

  async function tick(): Promise<void> {
    timer = null;
    if (closed) return;
    ticking = true;
    try {
      await step();
    } finally {
      ticking = false;
    }
  }

  async function step(): Promise<void> {
    if (facts && !ctx.due(facts)) {
      // A daily wake-up before the window: take a pair another instance renewed early, if any.
      const outcome = await attemptNewer();
      if (outcome) serve(outcome.pair, outcome.facts);
      scheduleRenewal();
      return;
    }
    const reason = forcedFrom !== null && facts ? 'renew now' : facts ? 'renewal' : 'no valid certificate';
    const outcome = await attemptRenewal(ctx).catch((err: unknown): AttemptOutcome => ({ kind: 'failed', error: err as Error, failures: ctx.localFailures, retryInMs: ctx.retryDelays[0]! }));
    if (closed && outcome.kind !== 'issued') return;
    report(outcome, reason);
    if (outcome.kind !== 'store_down') storeDown = false;
    switch (outcome.kind) {
      case 'adopted':
      case 'issued':
        waiting = false;
        forcedFrom = null;
        if (outcome.kind === 'adopted') keepOnDisk(outcome.pair);
        if (!closed) serve(outcome.pair, outcome.facts);
        scheduleRenewal();
        return;
      case 'busy':
      case 'store_down':
        schedule((deps.lockPollMs ?? 5000) * (0.8 + 0.4 * random()));
        return;
      case 'failed':
        waiting = false;
        // A forced renewal that failed is not forced again: the retry waits for the window, as the timer's would.
        forcedFrom = null;
        schedule(outcome.retryInMs);
        return;
    }
  }

  function report(outcome: AttemptOutcome, reason: string): void {
    switch (outcome.kind) {
      case 'issued':
        logger.info({ ...log, event: 'acme.issued', reason, serial: outcome.facts.serial, issuer: outcome.facts.issuer, not_after: iso(outcome.facts.notAfter) }, 'acme: certificate issued');
        return;
      case 'adopted':
        logger.info({ ...log, event: 'acme.adopted', serial: outcome.facts.serial, not_after: iso(outcome.facts.notAfter) }, 'acme: certificate taken from the store (another instance ordered it)');
        return;
      case 'busy':
        if (!waiting) logger.info({ ...log, event: 'acme.waiting' }, 'acme: another instance holds the order lock; waiting for the certificate it stores');
        waiting = true;
        return;
      case 'store_down':
        // Once per outage, not at every poll; the store's own lines say more.
        if (!storeDown) logger.warn({ ...log, event: 'acme.store_unavailable', reason, err: outcome.error.message }, 'acme: the store did not answer, so the order lock cannot be taken; looking again every few seconds');
        storeDown = true;
        return;
      case 'failed':
        logger.error({
          ...log, event: 'acme.failed', reason, err: outcome.error.message, failures: outcome.failures, retry_in_ms: outcome.retryInMs,
          serving: facts ? `the current certificate, valid until ${iso(facts.notAfter)}` : 'the temporary self-signed certificate',
        }, 'acme: could not get a certificate; retrying later');
    }
  }

  async function attemptNewer(): Promise<{ pair: CertPair; facts: CertFacts } | null> {
    try {
      const pair = await shared.readPair();
      const f = pair && servableFacts(pair, tls.domains, clock());
      if (!pair || !f || (facts && f.notAfter <= facts.notAfter)) return null;
      keepOnDisk(pair);
      logger.info({ ...log, event: 'acme.adopted', serial: f.serial, not_after: iso(f.notAfter) }, 'acme: certificate taken from the store (another instance ordered it)');
      return { pair, facts: f };
    } catch {
      return null;
    }
  }

  function keepOnDisk(pair: CertPair): void {
    try {
      files.writePair(pair);
    } catch (err) {
      logger.warn({ ...log, event: 'acme.not_saved', err: (err as Error).message }, 'acme: could not write the certificate to certDir; it is served, but a restart without the store will not find it');
    }
  }

  /** The valid pair of the disk and the store that lasts longest; the store may be down. */
  async function bestStored(): Promise<{ pair: CertPair; facts: CertFacts; source: string } | null> {
    const now = clock();
    const candidates: { pair: CertPair; facts: CertFacts; source: string }[] = [];
    const disk = files.readPair();
    const diskFacts = disk && servableFacts(disk, tls.domains, now);
    if (disk && diskFacts) candidates.push({ pair: disk, facts: diskFacts, source: 'disk' });
    try {
      const fromStore = await shared.readPair();
      const storeFacts = fromStore && servableFacts(fromStore, tls.domains, now);
      if (fromStore && storeFacts && (!diskFacts || storeFacts.notAfter > diskFacts.notAfter)) {
        candidates.push({ pair: fromStore, facts: storeFacts, source: 'store' });
        keepOnDisk(fromStore);
      }
    } catch (err) {
      logger.warn({ ...log, event: 'acme.store_unavailable', err: (err as Error).message }, 'acme: the store did not answer; looking at certDir only');
    }
    return candidates.sort((a, b) => b.facts.notAfter - a.facts.notAfter)[0] ?? null;
  }

  const store = {
    current,
    watch(listener: (pair: CertPair) => void) {
      onChange = listener;
      // One loop per store, however often it is watched.
      if (started || closed) return;
      started = true;
      if (facts && !ctx.due(facts)) scheduleRenewal();
      else schedule(0);
    },
    // A forced renewal counts from the ask until its outcome: the tick it schedules has not begun yet.
    async orderRunning() {
      return ticking || forcedFrom !== null || !started || (await shared.lockHeld());
    },
    renewNow(): RenewStart {
      if (ticking || forcedFrom !== null || closed || !started) return { started: false };
      forcedFrom = facts?.notAfter ?? -Infinity;
      if (timer) clearTimeout(timer);
      logger.info({ ...log, event: 'acme.renew_now', serving_serial: facts?.serial }, 'acme: renewal asked for now');
      schedule(0);
      return { started: true, serving: facts === null ? null : { serial: facts.serial, notAfter: iso(facts.notAfter) } };
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
  return store satisfies CertStore;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

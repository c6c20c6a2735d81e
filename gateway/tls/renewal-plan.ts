/**
 * When to renew an ACME certificate and how long to wait after a failure. Pure: the caller
 * gives the random number, so the table tests pin every edge.
 */

const HOUR = 3_600_000;

export interface RenewalPlan {
  /** This instance renews from this time on (ms since the epoch). */
  readonly renewAt: number;
  /** renewBefore was not shorter than the certificate's lifetime: a third of it is used instead. */
  readonly clamped: boolean;
}

/**
 * `renewBefore` ahead of expiry, moved earlier by a random share (up to a tenth of the time
 * from issue to that point, at most an hour) so that instances and certificates issued
 * together do not all ask the CA in the same second. A window at least as long as the
 * certificate's life (a 30-day default meeting a 6-day certificate) would renew at once and
 * again after every issue: then renewal starts when a third of the lifetime is left, as
 * Let's Encrypt advises for its short-lived certificates.
 */
export function renewalPlan(cert: { notBefore: number; notAfter: number }, renewBefore: number, random: number): RenewalPlan {
  const lifetime = cert.notAfter - cert.notBefore;
  const clamped = renewBefore >= lifetime;
  const window = clamped ? lifetime / 3 : renewBefore;
  const base = cert.notAfter - window;
  const jitter = random * Math.min(HOUR, (base - cert.notBefore) / 10);
  return { renewAt: Math.round(base - jitter), clamped };
}

/**
 * Waits after a failed order, by the number of failures in a row: from a minute to an hour,
 * then hourly, each ±10%. Let's Encrypt refuses a hostname after 5 failed authorizations
 * within an hour; even at the short end of the jitter this makes 5 attempts in the first hour
 * (at 0, 0.9, 5.4, 14.4 and 32.4 minutes), then one an hour.
 */
export const RETRY_DELAYS: readonly number[] = [60_000, 5 * 60_000, 10 * 60_000, 20 * 60_000, 40 * 60_000, HOUR];

export function retryDelay(failures: number, random: number, delays: readonly number[] = RETRY_DELAYS): number {
  const base = delays[Math.min(Math.max(failures, 1), delays.length) - 1] ?? HOUR;
  return Math.round(base * (0.9 + 0.2 * random));
}

/** setTimeout fires at once beyond 2^31-1 ms (24.8 days): longer waits are taken a day at a time. */
export const MAX_TIMER_MS = 86_400_000;

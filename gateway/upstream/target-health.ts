/**
 * One target's health, as a pure state machine (no timers, no I/O): the client feeds it the
 * outcome of real requests (passive) and of active checks, with the time, and asks whether the
 * target may take a request now.
 *
 * Passive: `failures` failures in a row eject the target for `ejectFor`, doubled on each
 * ejection that follows without a success in between, up to `maxEjectFor`. When an ejection
 * runs out the target takes requests again, half-open: one more failure ejects it at once (for
 * twice as long), one success closes the count.
 * Active: `unhealthy` failed checks in a row take it out until `healthy` checks in a row pass;
 * that passing also ends a passive ejection (the target answers again).
 */
export interface PassiveRule {
  readonly failures: number;
  readonly ejectFor: number;
  readonly maxEjectFor: number;
}

export interface ActiveRule {
  readonly healthy: number;
  readonly unhealthy: number;
}

export type TargetState = 'up' | 'ejected' | 'down';

export class TargetHealth {
  private failuresInRow = 0;
  private ejections = 0;
  private ejectedUntil = 0;
  private checksPassed = 0;
  private checksFailed = 0;
  private checkedDown = false;

  constructor(private readonly passive: PassiveRule | null, private readonly active: ActiveRule | null) {}

  /** 'down': the active check took it out; 'ejected': passive, until the ejection runs out. */
  state(now: number): TargetState {
    if (this.checkedDown) return 'down';
    return now < this.ejectedUntil ? 'ejected' : 'up';
  }

  available(now: number): boolean {
    return this.state(now) === 'up';
  }

  /** A real request's outcome: `failed` for connect errors, resets, timeouts and 502/503/504. */
  recordRequest(failed: boolean, now: number): void {
    if (!failed) {
      this.failuresInRow = 0;
      this.ejections = 0;
      return;
    }
    if (this.passive === null) return;
    // Failures reported by requests sent before an ejection began add nothing to it.
    if (now < this.ejectedUntil) return;
    this.failuresInRow += 1;
    if (this.failuresInRow < this.passive.failures) return;
    this.ejections += 1;
    this.ejectedUntil = now + Math.min(this.passive.ejectFor * 2 ** (this.ejections - 1), this.passive.maxEjectFor);
    // Half-open once it runs out: the next failure alone ejects it again.
    this.failuresInRow = this.passive.failures - 1;
  }

  /** An active check's outcome. */
  recordCheck(passed: boolean, now: number): void {
    if (this.active === null) return;
    if (passed) {
      this.checksFailed = 0;
      this.checksPassed += 1;
      if (this.checksPassed >= this.active.healthy && (this.checkedDown || now < this.ejectedUntil)) {
        this.checkedDown = false;
        this.ejectedUntil = 0;
        this.failuresInRow = 0;
      }
      return;
    }
    this.checksPassed = 0;
    this.checksFailed += 1;
    if (this.checksFailed >= this.active.unhealthy) this.checkedDown = true;
  }
}

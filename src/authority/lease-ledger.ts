/**
 * @module
 * The authority's memory of the leases it granted (docs/consistency.md). A lease lets an
 * isolate reuse "this key is active, on this plan" until its own clock says `leaseMs` has passed
 * since it sent the check. A revocation or plan change commits at once, then answers only after
 * every lease it may have granted for what it changed has run out.
 */

/** Slack for clocks that tick at slightly different rates and for timer granularity. */
const MARGIN_MS = 5;

export class LeaseLedger {
  private readonly untilByKey = new Map<string, number>();
  private latestUntil = 0;

  /**
   * @param leaseMs the longest lease this authority grants (`AUTH_LEASE_MS`).
   * @param startedAt when this instance started: leases granted by a previous instance, whose
   *   memory is lost, have all run out by `startedAt + leaseMs`.
   */
  constructor(
    readonly leaseMs: number,
    private readonly startedAt: number,
  ) {}

  /** Records a lease on `keyId` from `now` and returns its length (0: no lease). */
  grant(keyId: string, now: number, requestedMs: number): number {
    const ms = Math.max(0, Math.min(requestedMs, this.leaseMs));
    if (ms === 0) return 0;
    const until = now + ms;
    if (until > (this.untilByKey.get(keyId) ?? 0)) this.untilByKey.set(keyId, until);
    if (until > this.latestUntil) this.latestUntil = until;
    if (this.untilByKey.size > 10_000) this.prune(now);
    return ms;
  }

  /** When every lease on `keyId` (or, without one, on any key) has run out. */
  quietAt(keyId?: string): number {
    const granted = keyId === undefined ? this.latestUntil : (this.untilByKey.get(keyId) ?? 0);
    return Math.max(granted, this.startedAt + this.leaseMs);
  }

  /** Resolves once every lease on `keyId` (or on any key) has run out. */
  async waitForQuiet(keyId?: string): Promise<void> {
    const wait = this.quietAt(keyId) - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + MARGIN_MS));
  }

  private prune(now: number): void {
    for (const [keyId, until] of this.untilByKey) if (until <= now) this.untilByKey.delete(keyId);
  }
}

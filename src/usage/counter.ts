/**
 * @module
 * Counting usage in the isolate (docs/usage.md#counting): every `/v1` request whose key is known
 * is counted per key, UTC hour and outcome, in this isolate's memory, with no I/O. The counts go to
 * the account's authority with the next call this isolate makes to it, or, for traffic that never
 * calls it (refusals of a revoked key, say), at most {@link HAND_IN_MS} after they were counted, by
 * one background hand-in per account at a time. A hand-in carries an id, so one that is retried
 * after a failure counts once; what an isolate has not handed in when it goes away is lost (at most
 * its last 10 s). Bounded: at most 500 accounts, 8 unsent hand-ins each (older ones are dropped).
 */

import type { KeyMode } from "../domain/policy";
import { HOUR_MS, type Outcome, type UsageCount, type UsageHandIn } from "../domain/usage";
import { BoundedCache } from "../memory/bounded-cache";

const MAX_ACCOUNTS = 500;
const MAX_UNSENT = 8;

interface AccountUsage {
  /** Counts not yet in a hand-in, by `keyId|hour|mode|outcome`. */
  /** Counted since the last hand-in; `count` grows in place until `take` seals the map. */
  counts: Map<string, { -readonly [K in keyof UsageCount]: UsageCount[K] }>;
  /** Hand-ins sealed and not yet known to be applied, oldest first. */
  unsent: UsageHandIn[];
  /** Whether a background hand-in is waiting (a flag, never its promise). */
  scheduled: boolean;
}

/** This isolate's part of every hand-in id, so that ids are unique across isolates (made on first use: no randomness at global scope). */
let isolateId: string | null = null;

/** One isolate's counts, by account. */
export class UsageCounter {
  private readonly pending = new BoundedCache<string, AccountUsage>(MAX_ACCOUNTS);
  private sequence = 0;

  constructor(private readonly idPrefix: string | null = null) {}

  private usageOf(accountId: string): AccountUsage {
    let usage = this.pending.get(accountId);
    if (!usage) {
      usage = { counts: new Map(), unsent: [], scheduled: false };
      this.pending.set(accountId, usage);
    }
    return usage;
  }

  /**
   * Counts one request. Returns true when the account has no background hand-in waiting yet: the
   * caller then schedules one (on its own request's `waitUntil`).
   */
  count(accountId: string, keyId: string, mode: KeyMode, outcome: Outcome, at: number): boolean {
    const usage = this.usageOf(accountId);
    const hour = at - (at % HOUR_MS);
    const id = `${keyId}|${hour}|${mode}|${outcome}`;
    const counted = usage.counts.get(id);
    if (counted) counted.count++;
    else usage.counts.set(id, { keyId, hour, mode, outcome, count: 1 });
    if (usage.scheduled) return false;
    usage.scheduled = true;
    return true;
  }

  /**
   * The hand-in to send for `accountId` now, or `null`: an unsent one first (retried with its own
   * id), else what was counted since the last, sealed under a new id. Marks nothing sent: call
   * {@link handedIn} when the authority has applied it.
   */
  take(accountId: string): UsageHandIn | null {
    const usage = this.pending.get(accountId);
    if (!usage) return null;
    if (usage.counts.size > 0) {
      isolateId ??= crypto.randomUUID();
      usage.unsent.push({ id: `${this.idPrefix ?? isolateId}:${++this.sequence}`, counts: [...usage.counts.values()] });
      usage.counts = new Map();
      if (usage.unsent.length > MAX_UNSENT) usage.unsent.shift();
    }
    return usage.unsent[0] ?? null;
  }

  /** The authority applied `handIn`: forget it. */
  handedIn(accountId: string, handIn: UsageHandIn): void {
    const usage = this.pending.get(accountId);
    if (usage) usage.unsent = usage.unsent.filter((h) => h !== handIn);
  }

  /** The background hand-in ran (whatever its outcome): the next count may schedule another. */
  ran(accountId: string): void {
    const usage = this.pending.get(accountId);
    if (usage) usage.scheduled = false;
  }

  clear(): void {
    this.pending.clear();
  }
}

/** This isolate's counter. */
export const usageCounter = new UsageCounter();

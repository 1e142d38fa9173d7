/**
 * @module
 * An isolate's side of quota leases: spending a held allotment, giving back its unspent rest when
 * asking again, taking in a new grant, and what the response reports (docs/limits.md). Pure functions
 * over plain data; the caller keeps that data per key in the isolate's memory.
 */
import type { Allotment, ReturnedAllotment, WindowCount } from "../domain/quota";
import { windowAt } from "../domain/windows";
import { remainingKnown, wantedAllotment } from "./allotment";
import type { WindowReport } from "./ratelimit-headers";

export interface HeldAllotment {
  remaining: number;
  readonly minuteStart: number;
  readonly dayStart: number;
  /** Good until then, by this isolate's clock (the lease it came with). */
  readonly until: number;
  readonly windows: Allotment["windows"];
}

/** Where a key's allotment is held, and how many requests were admitted since `since` (to size the next ask). */
export interface QuotaHolder {
  allotment: HeldAllotment | null;
  admitted: number;
  since: number;
  /**
   * The authority's last word that a window is full: good until that window resets or the lease
   * ends, whichever comes first, so that requests over a limit do not each cost an authority call.
   */
  refusal?: { readonly until: number; readonly windows: Allotment["windows"] } | null;
}

/** The refusal the holder remembers, if it is still good at `now`. */
export function standingRefusal(holder: QuotaHolder, now: number): Allotment["windows"] | null {
  return holder.refusal && now < holder.refusal.until ? holder.refusal.windows : null;
}

function inCurrentWindows(held: HeldAllotment, now: number): boolean {
  return windowAt("minute", now).start === held.minuteStart && windowAt("day", now).start === held.dayStart;
}

/** Whether `held` may still be spent at `now`: within its lease and its windows. */
export function spendable(held: HeldAllotment | null, now: number): held is HeldAllotment {
  return held !== null && held.remaining > 0 && now < held.until && inCurrentWindows(held, now);
}

/**
 * Takes the unspent rest of the holder's allotment to give back with the next ask, so that it can
 * no longer be spent here (what is given back must never be spent too). `null`: nothing to give.
 * A rest whose minute has ended is given back all the same: the authority credits it to the
 * windows it debited that are still current (the day), and to no other.
 */
export function takeReturning(holder: QuotaHolder): ReturnedAllotment | null {
  const held = holder.allotment;
  if (!held || held.remaining <= 0) return null;
  const returning = { unspent: held.remaining, windows: held.windows.map((w) => ({ name: w.name, start: w.start })) };
  held.remaining = 0;
  return returning;
}

/** How many requests to ask for, from what the holder admitted lately. */
export function wants(holder: QuotaHolder, now: number, leaseMs: number): number {
  return wantedAllotment(holder.admitted, now - holder.since, leaseMs);
}

/**
 * Takes in a grant that arrived for a lease good `until`. A rest of an earlier grant still held
 * (another request's ask, answered first) is kept, good only as long as both are.
 */
export function receive(holder: QuotaHolder, grant: Allotment, until: number, now: number): void {
  const earlier = holder.allotment;
  // Kept only when it debited the very windows the new grant did: what is given back later is credited to those.
  const keep = spendable(earlier, now) && sameWindows(earlier.windows, grant.windows) ? earlier : null;
  holder.allotment = {
    remaining: grant.granted + (keep?.remaining ?? 0),
    minuteStart: grant.minuteStart,
    dayStart: grant.dayStart,
    until: keep ? Math.min(keep.until, until) : until,
    windows: grant.windows,
  };
}

function sameWindows(a: Allotment["windows"], b: Allotment["windows"]): boolean {
  return a.length === b.length && a.every((w, i) => w.name === b[i]?.name && w.start === b[i]?.start);
}

/** Spends one request of the holder's allotment; false when there is nothing spendable. */
export function spendOne(holder: QuotaHolder, now: number): boolean {
  const held = holder.allotment;
  if (!spendable(held, now)) return false;
  held.remaining--;
  holder.admitted++;
  return true;
}

/** What this isolate knows of a window beyond the one allotment: the authority's latest count and everything held here unspent. */
export interface WindowKnowledge {
  granted(window: WindowCount): number;
  unspent(window: WindowCount): number;
}

/** Without more knowledge: the count this allotment came with, and its own unspent rest. */
export function allotmentOnly(held: HeldAllotment): WindowKnowledge {
  return { granted: (w) => w.granted, unspent: () => held.remaining };
}

/**
 * Each window with a limit as this isolate knows it, for `RateLimit` (after any spend): `r` is the
 * limit minus what the authority had granted, plus what this isolate holds unspent of it, over all
 * the account's keys for the account's windows, so that `r` goes down by one per request whichever
 * key is used.
 */
export function windowReports(held: HeldAllotment, known: WindowKnowledge = allotmentOnly(held)): WindowReport[] {
  const reports: WindowReport[] = [];
  for (const w of held.windows) {
    if (w.limit === null) continue;
    reports.push({
      name: w.name,
      limit: w.limit,
      end: w.end,
      remaining: remainingKnown(w.limit, known.granted(w), known.unspent(w)),
    });
  }
  return reports;
}

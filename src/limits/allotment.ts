/**
 * @module
 * Quota leases, the arithmetic (docs/limits.md#exact-everywhere). The authority keeps, per window,
 * how many requests it has **granted** to isolates; an isolate asks for an allotment, spends it
 * locally, and gives back what it did not spend when it next asks. The invariant that makes the
 * limits exact: for every window, granted ≤ limit, so the requests admitted, summed over every
 * isolate, never exceed it. Pure functions, proved by a property test.
 */
import type { WindowCount } from "../domain/quota";

/**
 * At most this share of what a window has left goes to one grant (¼), so that a busy isolate cannot
 * strand most of a window while others go without; near the limit, grants shrink to one request.
 */
export const SHARE_DIVISOR = 4;

/**
 * What one grant holds at least when no window of it has a limit: such a grant only counts, so it
 * may be generous (an isolate asks about as rarely as its lease allows); what an isolate that goes
 * away held unspent stays counted until its window ends, so this bounds what a limit set later in
 * that window can lose (docs/limits.md#changing-limits).
 */
export const UNLIMITED_GRANT = 1_000;

/** The most one grant may hold, whatever the isolate wants. */
export const MAX_GRANT = 1_000_000;

/**
 * How many requests to grant to an isolate that `wants` this many, given the windows that apply:
 * never more than any window has left, at most a quarter of the least left (but at least one while
 * every window has room), and 0 when any window is full or nothing is wanted (a key asked about
 * only to give back what it holds).
 *
 * @example
 * grantSize([{ name: "minute", limit: 60, granted: 59, start, end }], 10) // 1
 */
export function grantSize(windows: readonly WindowCount[], wants: number): number {
  let least = Number.POSITIVE_INFINITY;
  for (const w of windows) if (w.limit !== null) least = Math.min(least, w.limit - w.granted);
  if (least <= 0 || wants <= 0) return 0;
  if (least === Number.POSITIVE_INFINITY) return Math.min(MAX_GRANT, Math.max(UNLIMITED_GRANT, Math.floor(wants)));
  const share = Math.max(1, Math.floor(least / SHARE_DIVISOR));
  return Math.max(1, Math.min(Math.floor(wants), share, least, MAX_GRANT));
}

/** Whether a window has a limit and nothing left under it. */
export function isFull(w: Pick<WindowCount, "limit" | "granted">): boolean {
  return w.limit !== null && w.limit - w.granted <= 0;
}

/**
 * What an isolate gives back may be credited to a window only while it is the window the
 * allotment was granted in, and never below zero.
 */
export function creditBack(granted: number, unspent: number): number {
  return Math.max(0, granted - Math.max(0, Math.floor(unspent)));
}

/**
 * The requests left in a window as this isolate knows it (docs/limits.md `r`): what the authority had
 * not granted when it last answered, plus what this isolate holds unspent.
 */
export function remainingKnown(limit: number, grantedAtAuthority: number, heldUnspent: number): number {
  return Math.min(limit, Math.max(0, limit - grantedAtAuthority + heldUnspent));
}

/**
 * How many requests an isolate asks for: what it admitted for the key over the time it measured,
 * scaled to the coming lease period with a quarter to spare, at least one. An isolate with no
 * history asks for a few.
 */
export function wantedAllotment(admitted: number, measuredMs: number, leaseMs: number): number {
  if (leaseMs <= 0) return 1;
  if (admitted <= 0) return 4;
  const perMs = admitted / Math.max(1, measuredMs);
  return Math.max(1, Math.min(MAX_GRANT, Math.ceil(perMs * leaseMs * 1.25)));
}

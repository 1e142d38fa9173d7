/**
 * @module
 * The shapes quota leases pass between the authority and the isolates (docs/limits.md#exact-everywhere):
 * a window's count, an allotment, and what an isolate gives back. Data only, read by `limits/`
 * (the isolate's side) and `authority/` (the authority's side) alike.
 */
import type { WindowName } from "./windows";

/** A window as the authority's ledger holds it, for one grant. */
export interface WindowCount {
  readonly name: WindowName;
  /** `null`: the window has no limit, yet is counted, so that a limit set later applies to what it admitted. */
  readonly limit: number | null;
  readonly start: number;
  readonly end: number;
  /** Requests granted to isolates in this window so far (spent, or held unspent). */
  readonly granted: number;
}

/**
 * Requests an isolate may admit for a key, granted in the current windows (quota leases). Good only within those windows and the lease it came with.
 */
export interface Allotment {
  /** How many requests were granted (0: a window is full). */
  readonly granted: number;
  /** The UTC minute and day the grant belongs to. */
  readonly minuteStart: number;
  readonly dayStart: number;
  /** Every window that applies, with what the authority has granted in it, this grant included. */
  readonly windows: readonly WindowCount[];
}

/** What an isolate gives back when it asks again: the unspent rest of its last allotment for the key. */
export interface ReturnedAllotment {
  readonly unspent: number;
  /** The windows (name and start) the grant debited: the only ones the rest may be credited to. */
  readonly windows: readonly { readonly name: WindowName; readonly start: number }[];
}

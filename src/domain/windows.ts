/**
 * @module
 * The rate-limit windows of docs/limits.md: fixed and aligned to UTC. A minute window starts at
 * second `:00`, a day window at `00:00:00Z`. Pure functions of a clock reading.
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/**
 * The names a window goes by in `RateLimit-Policy`, `RateLimit` and a 429's `policy`, in header
 * order: a key's own minute, the account's live minute and day, the account's test minute and day
 * (test keys, docs/test-keys.md).
 */
export type WindowName = "key-minute" | "minute" | "day" | "test-minute" | "test-day";

export const WINDOW_ORDER: readonly WindowName[] = ["key-minute", "minute", "day", "test-minute", "test-day"];

export interface WindowSpan {
  readonly start: number;
  /** Exclusive: the first millisecond of the next window. */
  readonly end: number;
}

export function lengthOf(name: WindowName): number {
  return name === "day" || name === "test-day" ? DAY_MS : MINUTE_MS;
}

/**
 * The window of kind `name` that holds `now`.
 *
 * @example
 * windowAt("minute", Date.UTC(2026, 0, 1, 12, 30, 15)) // { start: …12:30:00, end: …12:31:00 }
 */
export function windowAt(name: WindowName, now: number): WindowSpan {
  const length = lengthOf(name);
  const start = now - (((now % length) + length) % length);
  return { start, end: start + length };
}

/** Whole seconds until `end`, at least 1 (docs/limits.md: `retry_after` ≥ 1, `t` between 1 and the window). */
export function secondsUntil(end: number, now: number, windowMs: number): number {
  const seconds = Math.ceil((end - now) / 1000);
  return Math.min(Math.max(seconds, 1), windowMs / 1000);
}

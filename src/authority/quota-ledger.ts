/**
 * @module
 * The authority's memory of quota grants (docs/limits.md#exact-everywhere): per window of each scope
 * (the account's minute and day, a key's own minute), how many requests it has granted to
 * isolates. Grants and credits happen in the same synchronous step as the key check, so the
 * arithmetic of `limits/allotment` holds: granted ≤ limit in every window. The counts live in a
 * {@link QuotaStore}: the authority's SQLite in production, a map in the property test.
 */
import { type AccountLimits, type KeyMode, TEST_LIMITS } from "../domain/policy";
import type { Allotment, ReturnedAllotment, WindowCount } from "../domain/quota";
import { type WindowName, windowAt } from "../domain/windows";
import { creditBack, grantSize } from "../limits/allotment";

/** One window that applies to a request: its name, its storage scope and its limit. */
export interface MeteredWindow {
  readonly name: WindowName;
  /** `account:minute`, `account:day` or `key:{id}`. */
  readonly scope: string;
  /** `null`: no limit, but counted all the same. */
  readonly limit: number | null;
}

/**
 * The windows that meter a key's requests: its own minute (if it has one), then the account's
 * minute and day for a live key, or the account's test minute and day for a test key (fixed limits,
 * docs/test-keys.md). The account's windows are counted even without a limit, so that a limit set
 * during a window applies to what it admitted earlier (docs/limits.md#changing-limits).
 */
export function meteredWindows(
  key: { readonly id: string; readonly rate_limit_per_minute: number | null; readonly mode: KeyMode },
  limits: AccountLimits,
): MeteredWindow[] {
  const windows: MeteredWindow[] = [];
  if (key.rate_limit_per_minute !== null) {
    windows.push({ name: "key-minute", scope: `key:${key.id}`, limit: key.rate_limit_per_minute });
  }
  if (key.mode === "test") {
    windows.push({ name: "test-minute", scope: "test:minute", limit: TEST_LIMITS.per_minute });
    windows.push({ name: "test-day", scope: "test:day", limit: TEST_LIMITS.per_day });
  } else {
    windows.push({ name: "minute", scope: "account:minute", limit: limits.per_minute });
    windows.push({ name: "day", scope: "account:day", limit: limits.per_day });
  }
  return windows;
}

/** Where the granted counts are kept. */
export interface QuotaStore {
  granted(scope: string, start: number): number;
  /** Sets the count of `scope`'s window `[start, end)`; a new window's first write may prune ended ones. */
  set(scope: string, start: number, end: number, granted: number): void;
}

/**
 * Gives back what an isolate did not spend, to exactly the windows its grant debited, and only
 * while each is still the window it was debited in: never to a window that has ended (its requests
 * can no longer be spent), nor to one the grant never took from (a window that applies to the key
 * now but did not then), which would let more through than its limit.
 */
export function creditUnspent(
  store: QuotaStore,
  windows: readonly MeteredWindow[],
  returned: ReturnedAllotment,
  now: number,
): void {
  if (returned.unspent <= 0) return;
  for (const w of windows) {
    const { start, end } = windowAt(w.name, now);
    if (!returned.windows.some((d) => d.name === w.name && d.start === start)) continue;
    const granted = store.granted(w.scope, start);
    const after = creditBack(granted, returned.unspent);
    if (after !== granted) store.set(w.scope, start, end, after);
  }
}

/**
 * Grants up to `wants` requests in the current window of every one of `windows`, debiting each by
 * the same amount (0 when any is full). Returns the grant and each window as it stands after.
 */
export function grantAllotment(
  store: QuotaStore,
  windows: readonly MeteredWindow[],
  wants: number,
  now: number,
): Allotment {
  const counts: WindowCount[] = windows.map((w) => {
    const { start, end } = windowAt(w.name, now);
    return { name: w.name, limit: w.limit, start, end, granted: store.granted(w.scope, start) };
  });
  const granted = grantSize(counts, wants);
  if (granted > 0) {
    windows.forEach((w, i) => {
      const count = counts[i] as WindowCount;
      store.set(w.scope, count.start, count.end, count.granted + granted);
    });
  }
  return {
    granted,
    minuteStart: windowAt("minute", now).start,
    dayStart: windowAt("day", now).start,
    windows: counts.map((c) => ({ ...c, granted: c.granted + granted })),
  };
}

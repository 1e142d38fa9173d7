/**
 * @module
 * The `RateLimit-Policy` and `RateLimit` headers (IETF draft-ietf-httpapi-ratelimit-headers) and
 * the choice of the window a 429 names (docs/limits.md). Pure functions.
 */
import { lengthOf, secondsUntil, WINDOW_ORDER, type WindowName } from "../domain/windows";

/** One window as a response reports it. */
export interface WindowReport {
  readonly name: WindowName;
  readonly limit: number;
  readonly end: number;
  /** Requests left as the edge knows it, 0 ≤ remaining ≤ limit. */
  readonly remaining: number;
}

function ordered(windows: readonly WindowReport[]): WindowReport[] {
  return [...windows].sort((a, b) => WINDOW_ORDER.indexOf(a.name) - WINDOW_ORDER.indexOf(b.name));
}

/**
 * The two headers for `windows` (none when there is no window).
 *
 * @example
 * rateLimitHeaders([{ name: "minute", limit: 600, end, remaining: 599 }], now)
 * // { "RateLimit-Policy": '"minute";q=600;w=60', RateLimit: '"minute";r=599;t=42' }
 */
export function rateLimitHeaders(windows: readonly WindowReport[], now: number): Record<string, string> {
  if (windows.length === 0) return {};
  const sorted = ordered(windows);
  return {
    "RateLimit-Policy": sorted.map((w) => `"${w.name}";q=${w.limit};w=${lengthOf(w.name) / 1000}`).join(", "),
    RateLimit: sorted
      .map((w) => `"${w.name}";r=${w.remaining};t=${secondsUntil(w.end, now, lengthOf(w.name))}`)
      .join(", "),
  };
}

/**
 * The window a 429 names among the full ones: the one that resets last; between those that reset
 * together, the account's `"minute"` rather than `"key-minute"`.
 */
export function blockingWindow<T extends { readonly name: WindowName; readonly end: number }>(
  full: readonly T[],
): T | undefined {
  let chosen: T | undefined;
  for (const w of full) {
    if (
      !chosen ||
      w.end > chosen.end ||
      (w.end === chosen.end && (w.name === "minute" || w.name === "test-minute") && chosen.name === "key-minute")
    ) {
      chosen = w;
    }
  }
  return chosen;
}

/**
 * @module
 * Row 9a of docs/api.md#the-decision-table (docs/limits.md): a request that passed rows 1–9 is admitted against every window
 * that applies to it (the key's minute, the account's minute and day), or refused with 429
 * `rate_limited`. It spends one request of the allotment this isolate holds for the key; when that
 * is spent or no longer good, it asks the key's authority for more (quota leases), so that the
 * hot path makes no authority call per request, and the limits stay exact across every isolate.
 */

import type { WindowCount } from "../domain/quota";
import { lengthOf, secondsUntil } from "../domain/windows";
import type { Bindings, EdgeConfig } from "../env";
import { ProblemError } from "../http/problem";
import type { RequestLog } from "../http/request-log";
import { isFull } from "../limits/allotment";
import { spendOne, standingRefusal, windowReports } from "../limits/held-allotment";
import { blockingWindow, rateLimitHeaders } from "../limits/ratelimit-headers";
import { type Principal, principalFrom } from "./authenticate";
import { askAboutKey } from "./authority-check";
import { windowKnowledge } from "./isolate-memory";

/**
 * Admits the request, or throws 429 `rate_limited` (with `Retry-After`, `RateLimit-Policy` and
 * `RateLimit`). Returns the `RateLimit-*` headers of the answer (none when no window applies).
 *
 * @example
 * const rateLimit = await admit(principal, c.env, config, log);
 */
export async function admit(
  principal: Principal,
  env: Bindings,
  config: EdgeConfig,
  log: RequestLog,
): Promise<Record<string, string>> {
  let holder = principal.quota;
  if (holder.allotment === null) return {};
  const refused = standingRefusal(holder, Date.now());
  if (refused) throw rateLimited(refused, Date.now());
  // Spend what this isolate holds; else join a call on its way, or ask; refuse only on the
  // authority's own answer to this request that a window is full.
  let asked = principal.asked;
  for (const need of [null, "allotment", "own-ask"] as const) {
    if (need) {
      const checked = await askAboutKey(env, principal.record, principal.hash, config, log, need);
      holder = principalFrom(checked.check, checked.holder, principal.record, principal.hash, checked.asked).quota;
      asked = checked.asked;
      if (holder.allotment === null) return {};
    }
    const allotment = holder.allotment as NonNullable<typeof holder.allotment>;
    if (spendOne(holder, Date.now())) {
      return rateLimitHeaders(windowReports(allotment, windowKnowledge(principal.accountId, holder)), Date.now());
    }
    const full = blockingWindow(allotment.windows.filter(isFull));
    if (asked && full) {
      // Remembered for this lease, and never past the full window's end: a raised limit waits out
      // the lease before its PUT answers, so the refusal cannot outlive it.
      holder.refusal = { until: Math.min(allotment.until, full.end), windows: allotment.windows };
      throw rateLimited(allotment.windows, Date.now());
    }
  }
  throw rateLimited(holder.allotment?.windows ?? [], Date.now());
}

/** 429 `rate_limited`, naming the full window that resets last, and when it resets (docs/limits.md#over-the-limit-429-rate_limited). */
function rateLimited(windows: readonly WindowCount[], now: number): ProblemError {
  const limited = windows.filter((w): w is WindowCount & { limit: number } => w.limit !== null);
  const window = blockingWindow(limited.filter(isFull)) ?? (limited[0] as (typeof limited)[number]);
  const retryAfter = secondsUntil(window.end, now, lengthOf(window.name));
  const resetsAt = new Date(window.end).toISOString();
  const reports = limited.map((w) => ({ ...w, remaining: Math.max(0, w.limit - w.granted) }));
  return new ProblemError(
    "rate_limited",
    `The ${window.name} limit of ${window.limit} requests is used up; it resets at ${resetsAt} (in ${retryAfter} s).`,
    { policy: window.name, limit: window.limit, retry_after: retryAfter, resets_at: resetsAt },
    { ...rateLimitHeaders(reports, now), "Retry-After": String(retryAfter) },
  );
}

/**
 * @module
 * Row 9a of docs/api.md#the-decision-table (docs/limits.md): a request that passed rows 1–9 is admitted against every window
 * that applies to it (the key's minute, the account's minute and day), or refused with 429
 * `rate_limited`. It spends one request of the allotment this isolate holds for the key; when that
 * is spent or no longer good, it asks the key's authority for more (quota leases), so that the
 * hot path makes no authority call per request, and the limits stay exact across every isolate.
 * Admission returns a decision; it never rebuilds who is calling.
 */

import type { WindowCount } from "../domain/quota";
import { lengthOf, secondsUntil } from "../domain/windows";
import { ProblemError } from "../http/problem";
import type { RequestState } from "../http/request-state";
import type { KeyRecord } from "../keys/record";
import { isFull } from "../limits/allotment";
import { type QuotaHolder, spendOne, standingRefusal, windowReports } from "../limits/held-allotment";
import { blockingWindow, rateLimitHeaders } from "../limits/ratelimit-headers";
import { askAboutKey, type Checked } from "./authority-check";
import { windowKnowledge } from "./isolate-memory";
import { standingOf } from "./key-standing";

/** What admission needs of an authenticated key: how to ask its authority again, and where its allotment is held. */
export interface KeyHandle {
  /** The key's KV record (its account and id) and hash. */
  readonly record: KeyRecord;
  readonly hash: string;
  /** Where this request finds the key's allotment (quota leases). */
  readonly holder: QuotaHolder;
  /** Whether this request asked the authority itself, so that `holder` is the authority's own answer to it. */
  readonly asked: boolean;
}

/** Admission's decision: admitted, with the `RateLimit-*` headers of the answer (none when no window applies), or refused. */
export type Admission =
  | { readonly admitted: true; readonly rateLimit: Readonly<Record<string, string>> }
  | { readonly admitted: false; readonly refusal: ProblemError };

const NO_WINDOW: Admission = { admitted: true, rateLimit: {} };

/**
 * Decides whether the request is admitted. A refusal is 429 `rate_limited` (with `Retry-After`,
 * `RateLimit-Policy` and `RateLimit`); or, when the authority is asked again meanwhile, what its
 * answer says of the key (`revoked_key`, `expired_key`, `invalid_key`) or `auth_unavailable`.
 *
 * @example
 * const admission = await admit(handle, state);
 * if (!admission.admitted) throw admission.refusal;
 */
export async function admit(handle: KeyHandle, state: RequestState): Promise<Admission> {
  const { record, hash } = handle;
  let holder = handle.holder;
  if (holder.allotment === null) return NO_WINDOW;
  const refused = standingRefusal(holder, Date.now());
  if (refused) return rateLimited(refused, Date.now());
  // Spend what this isolate holds; else join a call on its way, or ask; refuse only on the
  // authority's own answer to this request that a window is full.
  let asked = handle.asked;
  for (const need of [null, "allotment", "own-ask"] as const) {
    if (need) {
      let checked: Checked;
      try {
        checked = await askAboutKey(state, record, hash, need);
      } catch (error) {
        if (error instanceof ProblemError) return { admitted: false, refusal: error };
        throw error;
      }
      const standing = standingOf(checked.check, record, hash, Date.now());
      if (standing.refusal) return { admitted: false, refusal: standing.refusal };
      holder = checked.holder;
      asked = checked.asked;
      if (holder.allotment === null) return NO_WINDOW;
    }
    const allotment = holder.allotment as NonNullable<typeof holder.allotment>;
    if (spendOne(holder, Date.now())) {
      const knowledge = windowKnowledge(record.account_id, holder);
      return { admitted: true, rateLimit: rateLimitHeaders(windowReports(allotment, knowledge), Date.now()) };
    }
    const full = blockingWindow(allotment.windows.filter(isFull));
    if (asked && full) {
      // Remembered for this lease, and never past the full window's end: a raised limit waits out
      // the lease before its PUT answers, so the refusal cannot outlive it.
      holder.refusal = { until: Math.min(allotment.until, full.end), windows: allotment.windows };
      return rateLimited(allotment.windows, Date.now());
    }
  }
  return rateLimited(holder.allotment?.windows ?? [], Date.now());
}

/** 429 `rate_limited`, naming the full window that resets last, and when it resets (docs/limits.md#over-the-limit-429-rate_limited). */
function rateLimited(windows: readonly WindowCount[], now: number): Admission {
  const limited = windows.filter((w): w is WindowCount & { limit: number } => w.limit !== null);
  const window = blockingWindow(limited.filter(isFull)) ?? (limited[0] as (typeof limited)[number]);
  const retryAfter = secondsUntil(window.end, now, lengthOf(window.name));
  const resetsAt = new Date(window.end).toISOString();
  const reports = limited.map((w) => ({ ...w, remaining: Math.max(0, w.limit - w.granted) }));
  const refusal = new ProblemError(
    "rate_limited",
    `The ${window.name} limit of ${window.limit} requests is used up; it resets at ${resetsAt} (in ${retryAfter} s).`,
    { policy: window.name, limit: window.limit, retry_after: retryAfter, resets_at: resetsAt },
    { ...rateLimitHeaders(reports, now), "Retry-After": String(retryAfter) },
  );
  return { admitted: false, refusal };
}

/**
 * @module
 * The hot path's question to the authority (docs/consistency.md, docs/limits.md): for one key or
 * several of the account's at once, is each `keyId` with this `hash` a key of this account, and on
 * which plan? Records the use of each key marked `used` (to the minute, one write per key per minute
 * at most), grants a lease of up to `requestedLeaseMs` on each usable key, takes back what the isolate
 * did not spend of its last allotments (all of them before anything is granted), grants new ones,
 * applies the usage the isolate hands in, and records `quota.exhausted` when the day runs out.
 */
import { EDGE_ACTOR } from "../domain/events";
import type { UsageHandIn } from "../domain/usage";
import { MINUTE_MS, windowAt } from "../domain/windows";
import { isUsable, type KeyRow, toStoredKey } from "./key-rows";
import { rfc3339 } from "./present";
import { creditUnspent, grantAllotment, meteredWindows } from "./quota-ledger";
import type { AuthorityStore } from "./store";
import type { Account, KeyCheck, KeyQuestion } from "./types";

const NO_WRITES = 0;
/** The most keys one check answers about (the edge sends at most 32). */
const MAX_QUESTIONS = 64;

/** The answers to `questions`, in their order. Throws when storage fails (the caller answers "cannot say"). */
export function answerChecks(
  store: AuthorityStore,
  questions: readonly KeyQuestion[],
  requestedLeaseMs: number,
  usage: UsageHandIn | null,
): KeyCheck[] {
  const account = store.account();
  const now = Date.now();
  if (usage && account) store.usage.handIn(usage, now);
  const questioned = questions.slice(0, MAX_QUESTIONS).map((question) => {
    const row = store.rows.key(question.keyId);
    return { question, row: row && row.hash === question.hash ? row : undefined };
  });
  // Every rest given back is credited before anything is granted: a key asked about only to
  // give back what it held makes room for the key the request needs, in the same call.
  if (account) {
    for (const { question, row } of questioned) {
      if (row && question.returning) {
        creditUnspent(store.quota, meteredWindows(row, account.limits), question.returning, now);
      }
    }
  }
  return questioned.map(({ question, row }, i) =>
    answerOne(store, question, row, account, now, requestedLeaseMs, i === 0),
  );
}

function answerOne(
  store: AuthorityStore,
  question: KeyQuestion,
  row: KeyRow | undefined,
  account: Account | null,
  now: number,
  requestedLeaseMs: number,
  isRequestKey: boolean,
): KeyCheck {
  const plan = account?.plan ?? null;
  const limits = account?.limits ?? null;
  if (!row || !account) {
    return { key: null, plan, limits, leaseMs: 0, allotment: null, writes: NO_WRITES };
  }
  if (!isUsable(row, now)) {
    return { key: toStoredKey(row), plan, limits, leaseMs: 0, allotment: null, writes: NO_WRITES };
  }
  const writesBefore = store.stats.rowsWritten;
  const minute = now - (now % MINUTE_MS);
  if (question.used && (row.last_used_at === null || row.last_used_at < minute)) {
    store.stats.lastUsedWrites++;
    store.write("UPDATE api_keys SET last_used_at = ? WHERE id = ?", minute, question.keyId);
    row.last_used_at = minute;
  }
  const allotment = grantAllotment(store.quota, meteredWindows(row, account.limits), question.wants, now);
  if (isRequestKey && question.wants > 0 && allotment.granted === 0) noteQuotaExhausted(store, account, allotment, now);
  const leaseMs = store.leases.grant(question.keyId, now, requestedLeaseMs);
  return {
    key: toStoredKey(row),
    plan,
    limits: account.limits,
    leaseMs,
    allotment,
    writes: store.stats.rowsWritten - writesBefore,
  };
}

/** `quota.exhausted`, once per UTC day, when a request is refused because the account's day is full. */
function noteQuotaExhausted(
  store: AuthorityStore,
  account: Account,
  allotment: NonNullable<KeyCheck["allotment"]>,
  now: number,
): void {
  const day = allotment.windows.find((w) => w.name === "day");
  if (!day || day.limit === null || day.granted < day.limit) return;
  const dayStart = windowAt("day", now).start;
  if (store.rows.accountRow()?.quota_exhausted_day === dayStart) return;
  store.write("UPDATE account SET quota_exhausted_day = ?", dayStart);
  store.events.record(
    account.accountId,
    "quota.exhausted",
    EDGE_ACTOR,
    { window: "day", limit: day.limit, resets_at: rfc3339(day.end) },
    now,
  );
  store.afterChange();
}

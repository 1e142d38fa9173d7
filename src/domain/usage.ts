/**
 * @module
 * Usage (docs/usage.md): what each key did, per UTC hour, handed in by the isolates that counted it.
 * Data only: the outcomes counted, the shape of a hand-in, and how long counts are kept.
 */
import type { KeyMode } from "./policy";

/** Refusals counted per key: rows 4–9a of the decision table. Rows 1–3 and any 503 belong to no key. */
export const COUNTED_REFUSALS = [
  "revoked_key",
  "expired_key",
  "ip_not_allowed",
  "key_management_forbidden",
  "unknown_route",
  "plan_required",
  "insufficient_scope",
  "rate_limited",
] as const;

export type CountedRefusal = (typeof COUNTED_REFUSALS)[number];

/** `"admitted"`, or the code of a counted refusal. */
export type Outcome = "admitted" | CountedRefusal;

/** Requests with one outcome, of one key, in one UTC hour. */
export interface UsageCount {
  readonly keyId: string;
  readonly hour: number;
  readonly mode: KeyMode;
  readonly outcome: Outcome;
  readonly count: number;
}

/** What an isolate hands in at once; `id` makes a retried hand-in count once. */
export interface UsageHandIn {
  readonly id: string;
  readonly counts: readonly UsageCount[];
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Hourly counts are kept at least 35 days, daily counts at least 400 days (docs/storage-schema.md). */
export const HOURLY_RETENTION_MS = 36 * DAY_MS;
export const DAILY_RETENTION_MS = 401 * DAY_MS;
/** An isolate hands in what it counted at most this long after counting it. */
export const HAND_IN_MS = 10_000;

export type Granularity = "hour" | "day";

/** A bucket's counts: live admitted and refused by code, and the same for test traffic. */
export interface UsageTally {
  admitted: number;
  refused: Record<string, number>;
  test: { admitted: number; refused: Record<string, number> };
}

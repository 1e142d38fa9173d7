/**
 * @module
 * What the authority's answer says of a key (docs/api.md#the-decision-table rows 3–5): usable, or
 * the refusal it calls for. A revocation or an expiry is remembered in this isolate, so that the
 * key is refused again without asking.
 */
import type { KeyCheck, StoredKey } from "../authority/types";
import type { AccountLimits, Plan } from "../domain/policy";
import { ProblemError } from "../http/problem";
import type { KeyRecord } from "../keys/record";
import { expiredKeys, records } from "./isolate-memory";

/** `invalid_key` for a well-formed key this API does not know. */
export function unknownKey(): ProblemError {
  return new ProblemError(
    "invalid_key",
    "This API key is not known here: it was never created on this deployment, or was typed for another one. Check which key your code sends.",
  );
}

export function revokedKey(): ProblemError {
  return new ProblemError("revoked_key", "This API key has been revoked.");
}

export function expiredKey(): ProblemError {
  return new ProblemError("expired_key", "This API key has expired.");
}

/** A key the authority lets be used, with the plan and limits in force; or the refusal its answer calls for. */
export type KeyStanding =
  | { readonly refusal: null; readonly key: StoredKey; readonly plan: Plan; readonly limits: AccountLimits }
  | { readonly refusal: ProblemError };

/**
 * What `check` says of the key at `now`: usable, or refused with `invalid_key` (unknown to the
 * authority), `revoked_key` or `expired_key`.
 *
 * @example
 * const standing = standingOf(check, record, hash, Date.now());
 * if (standing.refusal) throw standing.refusal;
 */
export function standingOf(check: KeyCheck, record: KeyRecord, hash: string, now: number): KeyStanding {
  const { key, plan, limits } = check;
  if (!key || !plan || !limits) return { refusal: unknownKey() };
  if (key.revokedAt !== null) {
    records.set(hash, { ...record, revoked_at: new Date(key.revokedAt).toISOString() });
    return { refusal: revokedKey() };
  }
  if (key.expiresAt !== null && key.expiresAt <= now) {
    expiredKeys.set(hash, true);
    return { refusal: expiredKey() };
  }
  return { refusal: null, key, plan, limits };
}

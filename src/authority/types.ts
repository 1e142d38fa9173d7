/**
 * @module
 * What the key authority answers over RPC. Times are epoch milliseconds; the admin API and the
 * edge turn them into RFC 3339 UTC.
 */
import type { AccountLimits, KeyMode, Plan } from "../domain/policy";
import type { Allotment, ReturnedAllotment } from "../domain/quota";

export interface StoredKey {
  readonly id: string;
  readonly name: string | null;
  /** Sorted, without duplicates, fixed when the key was created. */
  readonly scopes: readonly string[];
  readonly hint: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  /** To the minute. */
  readonly lastUsedAt: number | null;
  /** The key's own limit per UTC minute, besides the account's; `null` for none. */
  readonly rateLimitPerMinute: number | null;
  /** Normalized CIDR blocks the key may be used from; `null`: anywhere. */
  readonly allowedIps: readonly string[] | null;
  /** Why the key was revoked: the first reason stays. */
  readonly revokedReason: RevokedReason | null;
  readonly rolledFrom: string | null;
  readonly rolledTo: string | null;
  /** The leak report that revoked the key. */
  readonly leak: LeakReport | null;
  readonly mode: KeyMode;
}

export type RevokedReason = "revoked" | "leaked";

/** A key a leak report named: its id and hash (from its KV record), and where it was found. */
export interface LeakedKey {
  readonly keyId: string;
  readonly hash: string;
  readonly url: string | null;
  readonly source: string | null;
}

/** Where a leaked key was found (GitHub secret scanning), and when it was reported. */
export interface LeakReport {
  readonly url: string | null;
  readonly source: string | null;
  readonly reportedAt: number;
}

export interface Account {
  readonly accountId: string;
  readonly plan: Plan;
  /** The limits in force: the plan's defaults with the account's overrides. */
  readonly limits: AccountLimits;
}

/** The authority's answer about one key; `leaseMs` is how long an isolate may reuse it. */
export interface KeyCheck {
  readonly key: StoredKey | null;
  readonly plan: Plan | null;
  readonly limits: AccountLimits | null;
  readonly leaseMs: number;
  /** `null` when no window applies to the key (no limits at all) or the key cannot be used. */
  readonly allotment: Allotment | null;
  /** Storage rows this check wrote (the last-used minute, quota windows): for the request log and the benchmark. */
  readonly writes: number;
}

/** A key the edge asks about, whether a request used it since the edge last asked, and its allotment wishes. */
export interface KeyQuestion {
  readonly keyId: string;
  readonly hash: string;
  readonly used: boolean;
  /** How many requests the isolate would like to admit for the key in the coming lease period. */
  readonly wants: number;
  readonly returning: ReturnedAllotment | null;
}

export interface NewKey {
  readonly hash: string;
  readonly hint: string;
  readonly name: string | null;
  readonly scopes: readonly string[];
  readonly expiresAt: number | null;
  readonly rateLimitPerMinute: number | null;
  readonly allowedIps: readonly string[] | null;
  readonly mode: KeyMode;
}

/** A roll: the new key's hash and hint for either mode (it keeps the old key's), its name and expiry, and the old key's grace period. */
export interface Roll {
  readonly live: { readonly hash: string; readonly hint: string };
  readonly test: { readonly hash: string; readonly hint: string };
  /** `undefined`: the old key's name. */
  readonly name: string | null | undefined;
  /** `undefined`: the old key's lifetime (`expires_at − created_at`) from now, or none when it had no expiry. */
  readonly expiresAt: number | undefined;
  readonly graceMs: number;
}

export interface Rolled {
  readonly key: StoredKey;
  readonly old: { readonly id: string; readonly expiresAt: number };
}

export type AuthorityResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: "unknown_account" | "unknown_key" | "key_rolled" | "key_inactive" };

/**
 * @module
 * What the key authority answers over RPC. Times are epoch milliseconds; the admin API and the
 * edge turn them into RFC 3339 UTC.
 */
import type { Plan } from "../auth/policy";

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
}

export interface Account {
  readonly accountId: string;
  readonly plan: Plan;
}

/** The authority's answer about one key; `leaseMs` is how long an isolate may reuse it. */
export interface KeyCheck {
  readonly key: StoredKey | null;
  readonly plan: Plan | null;
  readonly leaseMs: number;
  /** Storage rows this check wrote (the last-used minute): for the request log and the benchmark. */
  readonly writes: number;
}

/** A key the edge asks about, and whether a request used it since the edge last asked. */
export interface KeyQuestion {
  readonly keyId: string;
  readonly hash: string;
  readonly used: boolean;
}

export interface NewKey {
  readonly hash: string;
  readonly hint: string;
  readonly name: string | null;
  readonly scopes: readonly string[];
  readonly expiresAt: number | null;
}

export type AuthorityResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: "unknown_account" | "unknown_key" };

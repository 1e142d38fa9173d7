/**
 * @module
 * How keys and accounts look in JSON, in admin answers and in events alike: times in RFC 3339 UTC,
 * absent ones `null`, scopes sorted.
 */
import { normalizeScopes } from "../domain/policy";
import type { UsageTally } from "../domain/usage";
import type { Account, StoredKey } from "./types";
import type { UsageAnswer, UsageQuery } from "./usage-ledger";

export function rfc3339(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** A key as the admin key list shows it: never the key or its hash. */
export function presentKey(key: StoredKey) {
  return {
    id: key.id,
    name: key.name,
    scopes: normalizeScopes(key.scopes),
    hint: key.hint,
    created_at: rfc3339(key.createdAt),
    expires_at: rfc3339(key.expiresAt),
    revoked_at: rfc3339(key.revokedAt),
    last_used_at: rfc3339(key.lastUsedAt),
    rate_limit_per_minute: key.rateLimitPerMinute,
    allowed_ips: key.allowedIps,
    revoked_reason: key.revokedReason,
    rolled_from: key.rolledFrom,
    rolled_to: key.rolledTo,
    leak: key.leak && { url: key.leak.url, source: key.leak.source, reported_at: rfc3339(key.leak.reportedAt) },
    mode: key.mode,
  };
}

/** A key as the answer that creates it shows it (docs/api.md#for-the-dashboard-backend-the-admin-api, docs/limits.md, docs/lifecycle.md): the only time `key` is shown. */
export function presentCreatedKey(created: StoredKey, key: string) {
  const { id, name, scopes, created_at, expires_at, rate_limit_per_minute, allowed_ips, mode } = presentKey(created);
  return { id, key, name, scopes, created_at, expires_at, rate_limit_per_minute, allowed_ips, mode };
}

/** An account with its plan and the limits in force (docs/api.md#for-the-dashboard-backend-the-admin-api, docs/limits.md). */
export function presentAccount(account: Account) {
  return { account_id: account.accountId, plan: account.plan, limits: account.limits };
}

/** A tally of usage as the API shows it: live admitted and refused, and the same for test traffic. */
function presentTally(tally: UsageTally) {
  return {
    admitted: tally.admitted,
    refused: tally.refused,
    test: { admitted: tally.test.admitted, refused: tally.test.refused },
  };
}

/** `GET /_admin/accounts/{account_id}/usage` (docs/usage.md#the-usage-api). */
export function presentUsage(accountId: string, query: UsageQuery, answer: UsageAnswer) {
  return {
    account_id: accountId,
    key_id: query.keyId,
    granularity: query.granularity,
    from: rfc3339(query.from),
    to: rfc3339(query.to),
    buckets: answer.buckets.map((b) => ({ start: rfc3339(b.start), ...presentTally(b.tally) })),
    totals: presentTally(answer.totals),
    keys: query.keyId === null ? answer.keys.map((k) => ({ key_id: k.keyId, ...presentTally(k.tally) })) : null,
  };
}

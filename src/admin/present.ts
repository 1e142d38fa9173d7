/**
 * @module
 * How keys and accounts look in JSON: times in RFC 3339 UTC, absent ones `null`, scopes sorted.
 */
import type { Principal } from "../auth/authenticate";
import type { Account, StoredKey } from "../authority/types";
import { normalizeScopes } from "../domain/policy";

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
  };
}

/** A key as the answer that creates it shows it (docs/api.md#for-the-dashboard-backend-the-admin-api, docs/limits.md, docs/lifecycle.md): the only time `key` is shown. */
export function presentCreatedKey(created: StoredKey, key: string) {
  const { id, name, scopes, created_at, expires_at, rate_limit_per_minute, allowed_ips } = presentKey(created);
  return { id, key, name, scopes, created_at, expires_at, rate_limit_per_minute, allowed_ips };
}

/** An account with its plan and the limits in force (docs/api.md#for-the-dashboard-backend-the-admin-api, docs/limits.md). */
export function presentAccount(account: Account) {
  return { account_id: account.accountId, plan: account.plan, limits: account.limits };
}

/** `GET /v1/api-keys/current` (docs/api.md#get-v1api-keyscurrent, docs/api.md#our-choices-where-the-rules-are-silent). */
export function presentCurrentKey(principal: Principal) {
  const { key } = principal;
  return {
    id: key.id,
    name: key.name,
    account_id: principal.accountId,
    scopes: normalizeScopes(key.scopes),
    plan: principal.plan,
    hint: key.hint,
    created_at: rfc3339(key.createdAt),
    expires_at: rfc3339(key.expiresAt),
    last_used_at: rfc3339(key.lastUsedAt),
    rate_limit_per_minute: key.rateLimitPerMinute,
    allowed_ips: key.allowedIps,
    limits: principal.limits,
  };
}

/**
 * @module
 * Changes to an account's keys, each in one transaction with its events and the KV records it owes
 * (docs/lifecycle.md, docs/events.md): creating, rolling and revoking keys, and the expiry notices
 * that fall due. Synchronous: the façade (key-authority.ts) then writes KV through and waits out
 * the leases a change must outlive.
 */
import { EDGE_ACTOR, EXPIRING_NOTICE_MS, LEAK_ACTOR } from "../domain/events";
import { randomBase62 } from "../keys/format";
import { type KeyRow, toStoredKey } from "./key-rows";
import { presentKey, rfc3339 } from "./present";
import type { AuthorityStore } from "./store";
import type { Account, AuthorityResult, LeakedKey, LeakReport, NewKey, RevokedReason, Roll } from "./types";

/** Stores a key (its hash, never the key), owes KV its record, and records `key.created`; call inside a transaction. */
function insertKey(
  store: AuthorityStore,
  account: Account,
  input: NewKey,
  rolledFrom: string | null,
  actor: string | null,
  now: number,
): KeyRow {
  const row = store.rows.insert(`key_${randomBase62(20)}`, input, rolledFrom, now);
  store.outbox.enqueueRecord(row.hash, { v: 1, account_id: account.accountId, key_id: row.id, revoked_at: null });
  store.events.record(account.accountId, "key.created", actor, presentKey(toStoredKey(row)), now);
  return row;
}

/** A new key, with `key.created` and any expiry notice already due, in one transaction. */
export function createKey(store: AuthorityStore, account: Account, input: NewKey, actor: string | null): KeyRow {
  const now = Date.now();
  let row: KeyRow | undefined;
  store.ctx.storage.transactionSync(() => {
    row = insertKey(store, account, input, null, actor, now);
    recordExpiryDuties(store, account.accountId, now);
  });
  return row as KeyRow;
}

export interface RollOutcome {
  readonly created: KeyRow;
  /** The old key's expiry after the roll, and before it. */
  readonly oldExpiresAt: number;
  readonly previousExpiresAt: number | null;
}

/**
 * Rolls a key (docs/lifecycle.md#rolling-a-key): a new key copying the old one's scopes, minute
 * limit, allowlist and mode (and its name unless one is given), expiring when the body says or after
 * the old key's lifetime; the old key's expiry becomes `min(its expiry, now + grace)`. A key is
 * rolled once: the check and the change run in one synchronous step, so of two rolls at the same
 * time exactly one succeeds. Records `key.created`, `key.rolled`, then any expiry events due.
 */
export function rollKey(
  store: AuthorityStore,
  account: Account,
  keyId: string,
  input: Roll,
  actor: string | null,
): AuthorityResult<RollOutcome> {
  const old = store.rows.key(keyId);
  if (!old) return { ok: false, code: "unknown_key" };
  if (old.rolled_to !== null) return { ok: false, code: "key_rolled" };
  const now = Date.now();
  if (old.revoked_at !== null || (old.expires_at !== null && old.expires_at <= now)) {
    return { ok: false, code: "key_inactive" };
  }
  const oldExpiresAt = Math.min(old.expires_at ?? Number.POSITIVE_INFINITY, now + input.graceMs);
  const newExpiresAt =
    input.expiresAt !== undefined
      ? input.expiresAt
      : old.expires_at === null
        ? null
        : now + (old.expires_at - old.created_at);
  let created: KeyRow | undefined;
  store.ctx.storage.transactionSync(() => {
    created = insertKey(
      store,
      account,
      {
        ...(old.mode === "test" ? input.test : input.live),
        name: input.name === undefined ? old.name : input.name,
        scopes: JSON.parse(old.scopes) as string[],
        expiresAt: newExpiresAt,
        rateLimitPerMinute: old.rate_limit_per_minute,
        allowedIps: old.allowed_ips === null ? null : (JSON.parse(old.allowed_ips) as string[]),
        mode: old.mode,
      },
      keyId,
      actor,
      now,
    );
    store.write("UPDATE api_keys SET expires_at = ?, rolled_to = ? WHERE id = ?", oldExpiresAt, created.id, keyId);
    store.events.record(
      account.accountId,
      "key.rolled",
      actor,
      { key_id: keyId, new_key_id: created.id, expires_at: rfc3339(oldExpiresAt) },
      now,
    );
    recordExpiryDuties(store, account.accountId, now);
  });
  return { ok: true, value: { created: created as KeyRow, oldExpiresAt, previousExpiresAt: old.expires_at } };
}

/**
 * Marks `rows` revoked for `reason` (those not revoked yet) in one transaction, owing KV their
 * records and recording `key.revoked` for each; returns their revocation times. The first reason
 * and time stay.
 */
export function revokeKeys(
  store: AuthorityStore,
  account: Account,
  rows: KeyRow[],
  reason: RevokedReason,
  actor: string | null,
  leakOf: (row: KeyRow, now: number) => LeakReport | null,
): number[] {
  const now = Date.now();
  store.ctx.storage.transactionSync(() => {
    for (const row of rows) {
      if (row.revoked_at !== null) continue;
      row.revoked_at = now;
      row.revoked_reason = reason;
      const leak = leakOf(row, now);
      row.leak = leak === null ? null : JSON.stringify(leak);
      store.write(
        "UPDATE api_keys SET revoked_at = ?, revoked_reason = ?, leak = ? WHERE id = ?",
        now,
        reason,
        row.leak,
        row.id,
      );
      store.outbox.enqueueRecord(row.hash, {
        v: 1,
        account_id: account.accountId,
        key_id: row.id,
        revoked_at: new Date(now).toISOString(),
      });
      const listed = presentKey(toStoredKey(row));
      store.events.record(account.accountId, "key.revoked", actor, { key_id: row.id, reason, leak: listed.leak }, now);
    }
  });
  return rows.map((row) => row.revoked_at as number);
}

/**
 * Revokes the keys that leak reports name (docs/leak-reports.md), with reason `leaked`, in one
 * transaction. Returns, per report, whether it named a key of this account (its id and hash both
 * match: a true positive, active or not), and the ids this revoked.
 */
export function revokeLeakedKeys(
  store: AuthorityStore,
  account: Account,
  reports: readonly LeakedKey[],
): { named: boolean[]; newlyRevoked: string[] } {
  const rows = reports.map((report) => {
    const row = store.rows.key(report.keyId);
    return row && row.hash === report.hash ? row : undefined;
  });
  const found = rows.filter((row): row is KeyRow => row !== undefined);
  const reportOf = new Map(reports.map((r) => [r.keyId, r]));
  const newlyRevoked = found.filter((row) => row.revoked_at === null).map((row) => row.id);
  // Reported when revoked: the leak's time is the revocation's.
  revokeKeys(store, account, found, "leaked", LEAK_ACTOR, (row, now) => {
    const r = reportOf.get(row.id);
    return r ? { url: r.url, source: r.source, reportedAt: now } : null;
  });
  return { named: rows.map((row) => row !== undefined), newlyRevoked };
}

/** Records `key.expired` and `key.expiring` for the keys due at `now`; call inside a transaction. */
export function recordExpiryDuties(store: AuthorityStore, accountId: string, now: number): void {
  const { expiring, expired } = store.rows.expiryDuties(now, EXPIRING_NOTICE_MS);
  for (const row of expired) {
    store.write("UPDATE api_keys SET expired_recorded = 1, expiring_recorded = 1 WHERE id = ?", row.id);
    store.events.record(
      accountId,
      "key.expired",
      EDGE_ACTOR,
      { key_id: row.id, expires_at: rfc3339(row.expires_at) },
      now,
    );
  }
  for (const row of expiring) {
    store.write("UPDATE api_keys SET expiring_recorded = 1 WHERE id = ?", row.id);
    store.events.record(
      accountId,
      "key.expiring",
      EDGE_ACTOR,
      { key_id: row.id, expires_at: rfc3339(row.expires_at) },
      now,
    );
  }
}

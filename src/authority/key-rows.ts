/**
 * @module
 * The authority's rows as SQLite holds them (docs/storage-schema.md), and what they mean: a key row
 * becomes a {@link StoredKey}, the account row an {@link Account}. Reads and writes of the
 * `api_keys` and `account` tables, nothing else.
 */
import { type KeyMode, type LimitsOverride, limitsInForce, type Plan } from "../domain/policy";
import type { Account, LeakReport, NewKey, RevokedReason, StoredKey } from "./types";

export type KeyRow = {
  id: string;
  hash: string;
  hint: string;
  name: string | null;
  scopes: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  rate_limit_per_minute: number | null;
  allowed_ips: string | null;
  revoked_reason: RevokedReason | null;
  rolled_from: string | null;
  rolled_to: string | null;
  leak: string | null;
  mode: KeyMode;
  expiring_recorded: number;
  expired_recorded: number;
};

export type AccountRow = {
  account_id: string;
  plan: Plan;
  limits: string | null;
  quota_exhausted_day: number | null;
  /** Set when the account was closed; its storage is erased once the close is handed on. */
  closed_at: number | null;
};

export function toStoredKey(row: KeyRow): StoredKey {
  return {
    id: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    hint: row.hint,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    rateLimitPerMinute: row.rate_limit_per_minute,
    allowedIps: row.allowed_ips === null ? null : (JSON.parse(row.allowed_ips) as string[]),
    revokedReason: row.revoked_reason,
    rolledFrom: row.rolled_from,
    rolledTo: row.rolled_to,
    leak: row.leak === null ? null : (JSON.parse(row.leak) as LeakReport),
    mode: row.mode,
  };
}

export function toAccount(row: AccountRow): Account {
  const override = row.limits === null ? null : (JSON.parse(row.limits) as LimitsOverride);
  return { accountId: row.account_id, plan: row.plan, limits: limitsInForce(row.plan, override) };
}

/** Whether a key can be used at `now`: not revoked, not past its expiry. */
export function isUsable(row: KeyRow, now: number): boolean {
  return row.revoked_at === null && (row.expires_at === null || row.expires_at > now);
}

/** The `api_keys` and `account` tables. `write` runs a statement and counts the rows it wrote. */
export class KeyRows {
  constructor(
    private readonly sql: SqlStorage,
    private readonly write: (query: string, ...bindings: (string | number | null)[]) => number,
  ) {}

  accountRow(): AccountRow | undefined {
    return this.sql
      .exec<AccountRow>("SELECT account_id, plan, limits, quota_exhausted_day, closed_at FROM account")
      .toArray()[0];
  }

  /** Creates or updates the account's plan and limit overrides (`null`: the plan's defaults). */
  putAccount(accountId: string, plan: Plan, limits: string | null, now: number): void {
    this.write(
      `INSERT INTO account (singleton, account_id, plan, updated_at, limits) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (singleton) DO UPDATE SET plan = excluded.plan, updated_at = excluded.updated_at, limits = excluded.limits`,
      accountId,
      plan,
      now,
      limits,
    );
  }

  key(keyId: string): KeyRow | undefined {
    return this.sql.exec<KeyRow>("SELECT * FROM api_keys WHERE id = ?", keyId).toArray()[0];
  }

  all(): KeyRow[] {
    return this.sql.exec<KeyRow>("SELECT * FROM api_keys ORDER BY created_at, id").toArray();
  }

  hasKeys(): boolean {
    return this.sql.exec("SELECT 1 FROM api_keys LIMIT 1").toArray().length > 0;
  }

  insert(id: string, input: NewKey, rolledFrom: string | null, now: number): KeyRow {
    const row: KeyRow = {
      id,
      hash: input.hash,
      hint: input.hint,
      name: input.name,
      scopes: JSON.stringify(input.scopes),
      created_at: now,
      expires_at: input.expiresAt,
      revoked_at: null,
      last_used_at: null,
      rate_limit_per_minute: input.rateLimitPerMinute,
      allowed_ips: input.allowedIps === null ? null : JSON.stringify(input.allowedIps),
      revoked_reason: null,
      rolled_from: rolledFrom,
      rolled_to: null,
      leak: null,
      mode: input.mode,
      expiring_recorded: 0,
      expired_recorded: 0,
    };
    this.write(
      `INSERT INTO api_keys (id, hash, hint, name, scopes, created_at, expires_at, rate_limit_per_minute, allowed_ips, rolled_from, mode)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.id,
      row.hash,
      row.hint,
      row.name,
      row.scopes,
      row.created_at,
      row.expires_at,
      row.rate_limit_per_minute,
      row.allowed_ips,
      row.rolled_from,
      row.mode,
    );
    return row;
  }

  /** Active keys whose expiry notices are due at `now`, or the earliest time one will be. */
  expiryDuties(now: number, noticeMs: number): { expiring: KeyRow[]; expired: KeyRow[]; next: number | null } {
    const pending = this.sql
      .exec<KeyRow>(
        `SELECT * FROM api_keys WHERE revoked_at IS NULL AND expires_at IS NOT NULL
           AND (expiring_recorded = 0 OR expired_recorded = 0) ORDER BY expires_at, id`,
      )
      .toArray();
    const expiring: KeyRow[] = [];
    const expired: KeyRow[] = [];
    let next: number | null = null;
    const later = (at: number) => {
      next = next === null ? at : Math.min(next, at);
    };
    for (const row of pending) {
      const expiresAt = row.expires_at as number;
      if (row.expired_recorded === 0 && expiresAt <= now) expired.push(row);
      else if (row.expired_recorded === 0) later(expiresAt);
      if (row.expiring_recorded === 0 && expiresAt > now) {
        if (expiresAt - noticeMs <= now) expiring.push(row);
        else later(expiresAt - noticeMs);
      }
    }
    return { expiring, expired, next };
  }
}

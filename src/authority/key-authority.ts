/**
 * @module
 * The key authority: one SQLite-backed Durable Object per account, the source of truth for the
 * account's plan and its keys. Every change commits here first, then is written through to KV
 * by an outbox that an alarm retries until KV agrees. The hot path asks it about a key (or reuses
 * a lease it granted), so a revocation or plan change holds from the moment it answers.
 */
import { DurableObject } from "cloudflare:workers";
import { type AccountLimits, type LimitsOverride, limitsInForce, type Plan } from "../domain/policy";
import { MINUTE_MS } from "../domain/windows";
import { type Bindings, readConfig } from "../env";
import { randomBase62 } from "../keys/format";
import { type KeyRecord, kvKeyFor } from "../keys/record";
import { LeaseLedger } from "./lease-ledger";
import { creditUnspent, grantAllotment, type MeteredWindow } from "./quota-ledger";
import { migrate } from "./schema";
import { SqlQuotaStore } from "./sql-quota-store";
import type {
  Account,
  AuthorityResult,
  KeyCheck,
  KeyQuestion,
  LeakedKey,
  LeakReport,
  NewKey,
  RevokedReason,
  Rolled,
  RollRequest,
  StoredKey,
} from "./types";

const NO_WRITES = 0;
/** The most keys one check answers about (the edge sends at most 32). */
const MAX_QUESTIONS = 64;
const MAX_RETRY_DELAY_MS = 60_000;

type KeyRow = {
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
};

type AccountRow = { account_id: string; plan: Plan; limits: string | null };

function toStoredKey(row: KeyRow): StoredKey {
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
  };
}

function toAccount(row: AccountRow): Account {
  const override = row.limits === null ? null : (JSON.parse(row.limits) as LimitsOverride);
  return { accountId: row.account_id, plan: row.plan, limits: limitsInForce(row.plan, override) };
}

/**
 * The windows that meter a key's requests: its own minute (if it has one), the account's minute and
 * day. The account's windows are counted even without a limit, so that a limit set during a window
 * applies to what it admitted earlier (docs/limits.md#changing-limits).
 */
function meteredWindows(key: KeyRow, limits: AccountLimits): MeteredWindow[] {
  const windows: MeteredWindow[] = [];
  if (key.rate_limit_per_minute !== null) {
    windows.push({ name: "key-minute", scope: `key:${key.id}`, limit: key.rate_limit_per_minute });
  }
  windows.push({ name: "minute", scope: "account:minute", limit: limits.per_minute });
  windows.push({ name: "day", scope: "account:day", limit: limits.per_day });
  return windows;
}

/** Counters a test or the benchmark reads through `runInDurableObject`. */
export interface AuthorityStats {
  checks: number;
  rowsWritten: number;
  /** Writes of a key's last-used minute (at most one per key per minute). */
  lastUsedWrites: number;
  kvWrites: number;
}

export class KeyAuthority extends DurableObject<Bindings> {
  /** The KV namespace written through to; a test may swap it for one that fails. */
  kv: KVNamespace;
  readonly stats: AuthorityStats = { checks: 0, rowsWritten: 0, lastUsedWrites: 0, kvWrites: 0 };
  private readonly sql: SqlStorage;
  private readonly leases: LeaseLedger;
  private readonly quota: SqlQuotaStore;
  /** Flushes run one after another, so that an older record can never overwrite a newer one in KV. */
  private flushing: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.kv = env.API_KEYS;
    this.sql = ctx.storage.sql;
    migrate(this.sql, (fn) => ctx.storage.transactionSync(fn));
    this.leases = new LeaseLedger(readConfig(env).authLeaseMs, Date.now());
    this.quota = new SqlQuotaStore(this.sql, (rows) => {
      this.stats.rowsWritten += rows;
    });
  }

  /**
   * Creates the account or changes its plan and limits (`override`: the windows the `PUT` named;
   * `null` restores the plan's defaults). Answers once no lease granted under the old plan or
   * limits is current, so that no allotment granted under an old limit is spent afterwards.
   */
  async setPlan(accountId: string, plan: Plan, override: LimitsOverride | null = null): Promise<Account> {
    const limits = override === null || Object.keys(override).length === 0 ? null : JSON.stringify(override);
    this.write(
      `INSERT INTO account (singleton, account_id, plan, updated_at, limits) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (singleton) DO UPDATE SET plan = excluded.plan, updated_at = excluded.updated_at, limits = excluded.limits`,
      accountId,
      plan,
      Date.now(),
      limits,
    );
    if (this.hasKeys()) await this.leases.waitForQuiet();
    return toAccount({ account_id: accountId, plan, limits });
  }

  getAccount(): Account | null {
    const row = this.sql.exec<AccountRow>("SELECT account_id, plan, limits FROM account").toArray()[0];
    return row ? toAccount(row) : null;
  }

  /** Stores a key (its hash, never the key) and writes its KV record through. */
  async createKey(input: NewKey): Promise<AuthorityResult<StoredKey>> {
    const account = this.getAccount();
    if (!account) return { ok: false, code: "unknown_account" };
    let row: KeyRow | undefined;
    this.ctx.storage.transactionSync(() => {
      row = this.insertKey(account, input, null, Date.now());
    });
    await this.flushOutbox();
    return { ok: true, value: toStoredKey(row as KeyRow) };
  }

  /**
   * Rolls a key (docs/lifecycle.md#rolling-a-key): a new key copying the old one's scopes, minute
   * limit and allowlist (and its name unless one is given), expiring when the body says or after the
   * old key's lifetime; the old key's expiry becomes `min(its expiry, now + grace)`. A key is rolled once.
   * When that shortens it, answers once no lease on the old key can still be current, so that the
   * old key is refused from its new expiry on, everywhere.
   */
  async rollKey(keyId: string, input: RollRequest): Promise<AuthorityResult<Rolled>> {
    const account = this.getAccount();
    if (!account) return { ok: false, code: "unknown_account" };
    const old = this.keyRow(keyId);
    if (!old) return { ok: false, code: "unknown_key" };
    // A key is rolled once: this check and the change below run in one synchronous step, so of two
    // rolls at the same time exactly one succeeds.
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
    this.ctx.storage.transactionSync(() => {
      created = this.insertKey(
        account,
        {
          hash: input.hash,
          hint: input.hint,
          name: input.name === undefined ? old.name : input.name,
          scopes: JSON.parse(old.scopes) as string[],
          expiresAt: newExpiresAt,
          rateLimitPerMinute: old.rate_limit_per_minute,
          allowedIps: old.allowed_ips === null ? null : (JSON.parse(old.allowed_ips) as string[]),
        },
        keyId,
        now,
      );
      this.write("UPDATE api_keys SET expires_at = ?, rolled_to = ? WHERE id = ?", oldExpiresAt, created.id, keyId);
    });
    await this.flushOutbox();
    if (oldExpiresAt !== old.expires_at) await this.leases.waitForQuiet(keyId);
    return { ok: true, value: { key: toStoredKey(created as KeyRow), old: { id: keyId, expiresAt: oldExpiresAt } } };
  }

  private insertKey(account: Account, input: NewKey, rolledFrom: string | null, now: number): KeyRow {
    const row: KeyRow = {
      id: `key_${randomBase62(20)}`,
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
    };
    this.write(
      `INSERT INTO api_keys (id, hash, hint, name, scopes, created_at, expires_at, rate_limit_per_minute, allowed_ips, rolled_from)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    );
    this.enqueueRecord(row.hash, { v: 1, account_id: account.accountId, key_id: row.id, revoked_at: null });
    return row;
  }

  listKeys(): AuthorityResult<StoredKey[]> {
    if (!this.getAccount()) return { ok: false, code: "unknown_account" };
    const rows = this.sql.exec<KeyRow>("SELECT * FROM api_keys ORDER BY created_at, id").toArray();
    return { ok: true, value: rows.map(toStoredKey) };
  }

  /**
   * Revokes a key: commits at once (every check from now on sees it), writes KV through, then
   * answers when no lease on the key can still be current. Revoking again keeps the first time and
   * the first reason.
   */
  async revokeKey(keyId: string): Promise<AuthorityResult<{ id: string; revokedAt: number }>> {
    const account = this.getAccount();
    if (!account) return { ok: false, code: "unknown_account" };
    const row = this.keyRow(keyId);
    if (!row) return { ok: false, code: "unknown_key" };
    const revokedAt = this.revokeRows(account, [row], "revoked", () => null);
    await this.flushOutbox();
    await this.leases.waitForQuiet(keyId);
    return { ok: true, value: { id: keyId, revokedAt: revokedAt[0] as number } };
  }

  /**
   * Revokes this account's keys that leak reports name (docs/leak-reports.md), with reason `leaked`, in one
   * transaction, then answers when no lease on any of them can still be current. A key already
   * revoked keeps its first reason and time. Answers, per report, whether it named a key of this
   * account (its id and hash both match): a true positive, active or not.
   */
  async revokeLeaked(reports: readonly LeakedKey[]): Promise<boolean[]> {
    const account = this.getAccount();
    if (!account) return reports.map(() => false);
    const rows = reports.map((report) => {
      const row = this.keyRow(report.keyId);
      return row && row.hash === report.hash ? row : undefined;
    });
    const found = rows.filter((row): row is KeyRow => row !== undefined);
    const reportOf = new Map(reports.map((r) => [r.keyId, r]));
    const newlyRevoked = found.filter((row) => row.revoked_at === null).map((row) => row.id);
    // Reported when revoked: the leak's time is the revocation's.
    this.revokeRows(account, found, "leaked", (row, now) => {
      const r = reportOf.get(row.id);
      return r ? { url: r.url, source: r.source, reportedAt: now } : null;
    });
    await this.flushOutbox();
    for (const keyId of newlyRevoked) await this.leases.waitForQuiet(keyId);
    return rows.map((row) => row !== undefined);
  }

  /** Marks `rows` revoked for `reason` (those not revoked yet) in one transaction; their revocation times. */
  private revokeRows(
    account: Account,
    rows: KeyRow[],
    reason: RevokedReason,
    leakOf: (row: KeyRow, now: number) => LeakReport | null,
  ): number[] {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      for (const row of rows) {
        if (row.revoked_at !== null) continue;
        row.revoked_at = now;
        const leak = leakOf(row, now);
        this.write(
          "UPDATE api_keys SET revoked_at = ?, revoked_reason = ?, leak = ? WHERE id = ?",
          now,
          reason,
          leak === null ? null : JSON.stringify(leak),
          row.id,
        );
        this.enqueueRecord(row.hash, {
          v: 1,
          account_id: account.accountId,
          key_id: row.id,
          revoked_at: new Date(now).toISOString(),
        });
      }
    });
    return rows.map((row) => row.revoked_at as number);
  }

  /**
   * The hot path's question, for one key or several of this account at once: is each `keyId`
   * with this `hash` a key of this account, and on which plan? Records the use of each key marked
   * `used` (to the minute, one write per key per minute at most), grants a lease of up to
   * `requestedLeaseMs` on each usable key, takes back what the isolate did not spend of its last
   * allotment, and grants a new one (quota leases). `null`: storage failed (the edge fails closed).
   */
  checkKeys(questions: readonly KeyQuestion[], requestedLeaseMs: number): KeyCheck[] | null {
    this.stats.checks++;
    try {
      const account = this.getAccount();
      const now = Date.now();
      const asked = questions.slice(0, MAX_QUESTIONS).map((question) => {
        const row = this.keyRow(question.keyId);
        return { question, row: row && row.hash === question.hash ? row : undefined };
      });
      // Every rest given back is credited before anything is granted: a key asked about only to
      // give back what it held makes room for the key the request needs, in the same call.
      if (account) {
        for (const { question, row } of asked) {
          if (row && question.returning) {
            creditUnspent(this.quota, meteredWindows(row, account.limits), question.returning, now);
          }
        }
      }
      return asked.map(({ question, row }) => this.checkKey(question, row, account, now, requestedLeaseMs));
    } catch (error) {
      // A storage failure: answered as "cannot say" (the edge fails closed with 503), and logged
      // here as one line rather than thrown across RPC as an uncaught exception.
      console.error(JSON.stringify({ authority_error: "checkKeys", error: String(error) }));
      return null;
    }
  }

  private checkKey(
    question: KeyQuestion,
    row: KeyRow | undefined,
    account: Account | null,
    now: number,
    requestedLeaseMs: number,
  ): KeyCheck {
    const plan = account?.plan ?? null;
    const limits = account?.limits ?? null;
    if (!row || !account) {
      return { key: null, plan, limits, leaseMs: 0, allotment: null, writes: NO_WRITES };
    }
    const usable = row.revoked_at === null && (row.expires_at === null || row.expires_at > now);
    if (!usable) return { key: toStoredKey(row), plan, limits, leaseMs: 0, allotment: null, writes: NO_WRITES };
    const writesBefore = this.stats.rowsWritten;
    const minute = now - (now % MINUTE_MS);
    if (question.used && (row.last_used_at === null || row.last_used_at < minute)) {
      this.stats.lastUsedWrites++;
      this.write("UPDATE api_keys SET last_used_at = ? WHERE id = ?", minute, question.keyId);
      row.last_used_at = minute;
    }
    const allotment = grantAllotment(this.quota, meteredWindows(row, account.limits), question.wants, now);
    const leaseMs = this.leases.grant(question.keyId, now, requestedLeaseMs);
    return {
      key: toStoredKey(row),
      plan,
      limits: account.limits,
      leaseMs,
      allotment,
      writes: this.stats.rowsWritten - writesBefore,
    };
  }

  /** Retries the KV writes that have not gone through yet. */
  override async alarm(): Promise<void> {
    await this.flushOutbox();
  }

  private keyRow(keyId: string): KeyRow | undefined {
    return this.sql.exec<KeyRow>("SELECT * FROM api_keys WHERE id = ?", keyId).toArray()[0];
  }

  private hasKeys(): boolean {
    return this.sql.exec("SELECT 1 FROM api_keys LIMIT 1").toArray().length > 0;
  }

  private write(query: string, ...bindings: (string | number | null)[]): number {
    const { rowsWritten } = this.sql.exec(query, ...bindings);
    this.stats.rowsWritten += rowsWritten;
    return rowsWritten;
  }

  private enqueueRecord(hash: string, record: KeyRecord): void {
    this.write(
      `INSERT INTO kv_outbox (kv_key, record, attempts) VALUES (?, ?, 0)
       ON CONFLICT (kv_key) DO UPDATE SET record = excluded.record, attempts = 0`,
      kvKeyFor(hash),
      JSON.stringify(record),
    );
  }

  private flushOutbox(): Promise<void> {
    const run = this.flushing.then(() => this.flushOnce());
    this.flushing = run.catch(() => {});
    return run;
  }

  private async flushOnce(): Promise<void> {
    type OutboxRow = { kv_key: string; record: string; attempts: number };
    const pending = this.sql.exec<OutboxRow>("SELECT * FROM kv_outbox").toArray();
    let retryIn = 0;
    for (const { kv_key, record, attempts } of pending) {
      try {
        this.stats.kvWrites++;
        await this.kv.put(kv_key, record);
        this.write("DELETE FROM kv_outbox WHERE kv_key = ? AND record = ?", kv_key, record);
      } catch {
        this.write("UPDATE kv_outbox SET attempts = attempts + 1 WHERE kv_key = ?", kv_key);
        const delay = Math.min(MAX_RETRY_DELAY_MS, 1_000 * 2 ** attempts);
        retryIn = retryIn === 0 ? delay : Math.min(retryIn, delay);
      }
    }
    if (retryIn > 0) await this.ctx.storage.setAlarm(Date.now() + retryIn);
  }
}

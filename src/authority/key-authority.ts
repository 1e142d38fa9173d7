/**
 * @module
 * The key authority: one SQLite-backed Durable Object per account, the source of truth for the
 * account's plan, its keys, their usage and its events. This class is the RPC façade; each duty
 * lives in its own file: rows (`key-rows`), quota grants (`quota-ledger`), leases (`lease-ledger`),
 * the event log (`event-log`), usage (`usage-ledger`), and the outbox that writes KV through and
 * hands events to the queue (`outbox`). Every change commits here first, with its events, in one
 * transaction; one alarm retries the outbox and records expiry events when they fall due.
 */
import { DurableObject } from "cloudflare:workers";
import { EDGE_ACTOR, EXPIRING_NOTICE_MS, LEAK_ACTOR } from "../domain/events";
import type { LimitsOverride, Plan } from "../domain/policy";
import type { UsageHandIn } from "../domain/usage";
import { MINUTE_MS, windowAt } from "../domain/windows";
import { type Bindings, readConfig } from "../env";
import { webhookSettings } from "../events/webhook-config";
import { randomBase62 } from "../keys/format";
import { EventLog, type EventQuery } from "./event-log";
import { isUsable, type KeyRow, KeyRows, toAccount, toStoredKey } from "./key-rows";
import { LeaseLedger } from "./lease-ledger";
import { type EventSink, Outbox } from "./outbox";
import { presentAccount, presentKey, rfc3339 } from "./present";
import { creditUnspent, grantAllotment, meteredWindows } from "./quota-ledger";
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
import { UsageLedger, type UsageQuery } from "./usage-ledger";

const NO_WRITES = 0;
/** The furthest ahead the alarm is set; a later duty is looked at again then. */
const ALARM_HORIZON_MS = 30 * 86_400_000;
/** The most keys one check answers about (the edge sends at most 32). */
const MAX_QUESTIONS = 64;

/** Counters a test or the benchmark reads through `runInDurableObject`. */
export interface AuthorityStats {
  checks: number;
  rowsWritten: number;
  /** Writes of a key's last-used minute (at most one per key per minute). */
  lastUsedWrites: number;
  kvWrites: number;
}

export class KeyAuthority extends DurableObject<Bindings> {
  readonly stats: AuthorityStats = { checks: 0, rowsWritten: 0, lastUsedWrites: 0, kvWrites: 0 };
  private readonly sql: SqlStorage;
  private readonly leases: LeaseLedger;
  private readonly quota: SqlQuotaStore;
  private readonly rows: KeyRows;
  private readonly events: EventLog;
  private readonly usage: UsageLedger;
  private readonly outbox: Outbox;
  /** When the outbox's next retry is due (0: none owed). */
  private retryAt = 0;
  /** Event hand-ons run one after another. */
  private handingOn: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrate(this.sql, (fn) => ctx.storage.transactionSync(fn));
    const write = (query: string, ...bindings: (string | number | null)[]) => this.write(query, ...bindings);
    const delivering = webhookSettings(env).deliver;
    this.leases = new LeaseLedger(readConfig(env).authLeaseMs, Date.now());
    this.quota = new SqlQuotaStore(this.sql, (rows) => {
      this.stats.rowsWritten += rows;
    });
    this.rows = new KeyRows(this.sql, write);
    this.events = new EventLog(this.sql, write, () => delivering);
    this.usage = new UsageLedger(this.sql, write, (keyId) => this.rows.key(keyId) !== undefined);
    const sink = delivering ? (env.EVENTS as EventSink | undefined) : undefined;
    this.outbox = new Outbox(this.sql, write, this.events, () => this.accountId(), env.API_KEYS, sink);
  }

  /** The KV namespace written through to; a test may swap it for one that fails. */
  get kv(): KVNamespace {
    return this.outbox.kv;
  }

  set kv(kv: KVNamespace) {
    this.outbox.kv = kv;
  }

  /**
   * Creates the account or changes its plan and limits (`override`: the windows the `PUT` named;
   * `null` restores the plan's defaults), recording `account.created` or, when what is in force
   * changed, `account.updated`. Answers once no lease granted under the old plan or limits is
   * current, so that no allotment granted under an old limit is spent afterwards. A closed account
   * is erased first: a `PUT` after a close starts an empty account.
   */
  async setPlan(
    accountId: string,
    plan: Plan,
    override: LimitsOverride | null = null,
    actor: string | null = null,
  ): Promise<Account> {
    if (this.rows.accountRow()?.closed_at != null) await this.erase();
    const limits = override === null || Object.keys(override).length === 0 ? null : JSON.stringify(override);
    const before = this.getAccount();
    const after = toAccount({ account_id: accountId, plan, limits, quota_exhausted_day: null, closed_at: null });
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.rows.putAccount(accountId, plan, limits, now);
      const current = presentAccount(after);
      if (!before) {
        this.events.record(accountId, "account.created", actor, { plan, limits: current.limits }, now);
      } else if (before.plan !== plan || JSON.stringify(before.limits) !== JSON.stringify(after.limits)) {
        const previous = presentAccount(before);
        this.events.record(
          accountId,
          "account.updated",
          actor,
          { plan, limits: current.limits, previous: { plan: previous.plan, limits: previous.limits } },
          now,
        );
      }
    });
    this.afterChange();
    if (this.rows.hasKeys()) await this.leases.waitForQuiet();
    return after;
  }

  /** The account, or `null` when it was never `PUT` or has been closed. */
  getAccount(): Account | null {
    const row = this.rows.accountRow();
    return row && row.closed_at === null ? toAccount(row) : null;
  }

  /** Stores a key (its hash, never the key), records `key.created`, and writes its KV record through. */
  async createKey(input: NewKey, actor: string | null = null): Promise<AuthorityResult<StoredKey>> {
    const account = this.getAccount();
    if (!account) return { ok: false, code: "unknown_account" };
    let row: KeyRow | undefined;
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      row = this.insertKey(account, input, null, actor, now);
      this.recordExpiryDuties(account.accountId, now);
    });
    await this.flushRecords();
    this.afterChange();
    return { ok: true, value: toStoredKey(row as KeyRow) };
  }

  /**
   * Rolls a key (docs/lifecycle.md#rolling-a-key): a new key copying the old one's scopes, minute
   * limit, allowlist and mode (and its name unless one is given), expiring when the body says or
   * after the old key's lifetime; the old key's expiry becomes `min(its expiry, now + grace)`. A key
   * is rolled once: the check and the change run in one synchronous step, so of two rolls at the
   * same time exactly one succeeds. When the roll shortens the old key's expiry, answers once no
   * lease on it can still be current. Records `key.created`, `key.rolled`, then any expiry events due.
   */
  async rollKey(keyId: string, input: RollRequest, actor: string | null = null): Promise<AuthorityResult<Rolled>> {
    const account = this.getAccount();
    if (!account) return { ok: false, code: "unknown_account" };
    const old = this.rows.key(keyId);
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
    this.ctx.storage.transactionSync(() => {
      created = this.insertKey(
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
      this.write("UPDATE api_keys SET expires_at = ?, rolled_to = ? WHERE id = ?", oldExpiresAt, created.id, keyId);
      this.events.record(
        account.accountId,
        "key.rolled",
        actor,
        { key_id: keyId, new_key_id: created.id, expires_at: rfc3339(oldExpiresAt) },
        now,
      );
      this.recordExpiryDuties(account.accountId, now);
    });
    await this.flushRecords();
    this.afterChange();
    if (oldExpiresAt !== old.expires_at) await this.leases.waitForQuiet(keyId);
    return { ok: true, value: { key: toStoredKey(created as KeyRow), old: { id: keyId, expiresAt: oldExpiresAt } } };
  }

  private insertKey(account: Account, input: NewKey, rolledFrom: string | null, actor: string | null, now: number) {
    const row = this.rows.insert(`key_${randomBase62(20)}`, input, rolledFrom, now);
    this.outbox.enqueueRecord(row.hash, { v: 1, account_id: account.accountId, key_id: row.id, revoked_at: null });
    this.events.record(account.accountId, "key.created", actor, presentKey(toStoredKey(row)), now);
    return row;
  }

  listKeys(): AuthorityResult<StoredKey[]> {
    if (!this.getAccount()) return { ok: false, code: "unknown_account" };
    return { ok: true, value: this.rows.all().map(toStoredKey) };
  }

  /**
   * Revokes a key: commits at once (every check from now on sees it), writes KV through, then
   * answers when no lease on the key can still be current. Revoking again keeps the first time and
   * the first reason.
   */
  async revokeKey(
    keyId: string,
    actor: string | null = null,
  ): Promise<AuthorityResult<{ id: string; revokedAt: number }>> {
    const account = this.getAccount();
    if (!account) return { ok: false, code: "unknown_account" };
    const row = this.rows.key(keyId);
    if (!row) return { ok: false, code: "unknown_key" };
    const revokedAt = this.revokeRows(account, [row], "revoked", actor, () => null);
    await this.flushRecords();
    this.afterChange();
    await this.leases.waitForQuiet(keyId);
    return { ok: true, value: { id: keyId, revokedAt: revokedAt[0] as number } };
  }

  /**
   * Revokes this account's keys that leak reports name (docs/leak-reports.md), with reason
   * `leaked`, in one transaction, then answers when no lease on any of them can still be current.
   * A key already revoked keeps its first reason and time. Answers, per report, whether it named a
   * key of this account (its id and hash both match): a true positive, active or not.
   */
  async revokeLeaked(reports: readonly LeakedKey[]): Promise<boolean[]> {
    const account = this.getAccount();
    if (!account) return reports.map(() => false);
    const rows = reports.map((report) => {
      const row = this.rows.key(report.keyId);
      return row && row.hash === report.hash ? row : undefined;
    });
    const found = rows.filter((row): row is KeyRow => row !== undefined);
    const reportOf = new Map(reports.map((r) => [r.keyId, r]));
    const newlyRevoked = found.filter((row) => row.revoked_at === null).map((row) => row.id);
    // Reported when revoked: the leak's time is the revocation's.
    this.revokeRows(account, found, "leaked", LEAK_ACTOR, (row, now) => {
      const r = reportOf.get(row.id);
      return r ? { url: r.url, source: r.source, reportedAt: now } : null;
    });
    await this.flushRecords();
    this.afterChange();
    for (const keyId of newlyRevoked) await this.leases.waitForQuiet(keyId);
    return rows.map((row) => row !== undefined);
  }

  /** Marks `rows` revoked for `reason` (those not revoked yet) in one transaction, with `key.revoked` each; their revocation times. */
  private revokeRows(
    account: Account,
    rows: KeyRow[],
    reason: RevokedReason,
    actor: string | null,
    leakOf: (row: KeyRow, now: number) => LeakReport | null,
  ): number[] {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      for (const row of rows) {
        if (row.revoked_at !== null) continue;
        row.revoked_at = now;
        row.revoked_reason = reason;
        const leak = leakOf(row, now);
        row.leak = leak === null ? null : JSON.stringify(leak);
        this.write(
          "UPDATE api_keys SET revoked_at = ?, revoked_reason = ?, leak = ? WHERE id = ?",
          now,
          reason,
          row.leak,
          row.id,
        );
        this.outbox.enqueueRecord(row.hash, {
          v: 1,
          account_id: account.accountId,
          key_id: row.id,
          revoked_at: new Date(now).toISOString(),
        });
        const listed = presentKey(toStoredKey(row));
        this.events.record(account.accountId, "key.revoked", actor, { key_id: row.id, reason, leak: listed.leak }, now);
      }
    });
    return rows.map((row) => row.revoked_at as number);
  }

  /**
   * Closes the account (docs/api.md#closing-an-account): in one transaction, marks it closed (every
   * check from now on finds no account), owes KV the removal of its keys' records and records
   * `account.closed`; then writes KV, waits out every lease, and erases the account's storage once
   * the event is on the queue (at once without webhooks).
   */
  async closeAccount(actor: string | null = null): Promise<AuthorityResult<{ closedAt: number; keysRevoked: number }>> {
    const account = this.getAccount();
    if (!account) return { ok: false, code: "unknown_account" };
    const now = Date.now();
    const keys = this.rows.all();
    const keysRevoked = keys.filter((row) => isUsable(row, now)).length;
    this.ctx.storage.transactionSync(() => {
      this.write("UPDATE account SET closed_at = ?", now);
      for (const row of keys) this.outbox.enqueueRemoval(row.hash);
      this.events.record(account.accountId, "account.closed", actor, { keys_revoked: keysRevoked }, now);
    });
    await this.flushRecords();
    await this.leases.waitForQuiet();
    await this.handOnEvents();
    await this.eraseIfClosedAndDone();
    if (this.rows.accountRow()) this.afterChange();
    return { ok: true, value: { closedAt: now, keysRevoked } };
  }

  /** Erases a closed account's storage once nothing is owed any more (KV removals, the close event). */
  private async eraseIfClosedAndDone(): Promise<void> {
    if (this.rows.accountRow()?.closed_at == null) return;
    if (this.outbox.hasRecords() || this.events.hasPending()) return;
    await this.erase();
  }

  /** Erases everything this authority stores, alarm included, and starts an empty store. */
  private async erase(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    migrate(this.sql, (fn) => this.ctx.storage.transactionSync(fn));
    this.retryAt = 0;
  }

  /**
   * The hot path's question, for one key or several of this account at once: is each `keyId`
   * with this `hash` a key of this account, and on which plan? Records the use of each key marked
   * `used` (to the minute, one write per key per minute at most), grants a lease of up to
   * `requestedLeaseMs` on each usable key, takes back what the isolate did not spend of its last
   * allotments (all of them before anything is granted), grants new ones, and applies the usage
   * the isolate hands in. `null`: storage failed (the edge fails closed).
   */
  checkKeys(
    questions: readonly KeyQuestion[],
    requestedLeaseMs: number,
    usage: UsageHandIn | null = null,
  ): KeyCheck[] | null {
    this.stats.checks++;
    try {
      const account = this.getAccount();
      const now = Date.now();
      if (usage && account) this.usage.handIn(usage, now);
      const asked = questions.slice(0, MAX_QUESTIONS).map((question) => {
        const row = this.rows.key(question.keyId);
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
      return asked.map(({ question, row }, i) => this.checkKey(question, row, account, now, requestedLeaseMs, i === 0));
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
    const writesBefore = this.stats.rowsWritten;
    const minute = now - (now % MINUTE_MS);
    if (question.used && (row.last_used_at === null || row.last_used_at < minute)) {
      this.stats.lastUsedWrites++;
      this.write("UPDATE api_keys SET last_used_at = ? WHERE id = ?", minute, question.keyId);
      row.last_used_at = minute;
    }
    const allotment = grantAllotment(this.quota, meteredWindows(row, account.limits), question.wants, now);
    if (isRequestKey && question.wants > 0 && allotment.granted === 0) this.noteQuotaExhausted(account, allotment, now);
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

  /** `quota.exhausted`, once per UTC day, when a request is refused because the account's day is full. */
  private noteQuotaExhausted(account: Account, allotment: NonNullable<KeyCheck["allotment"]>, now: number): void {
    const day = allotment.windows.find((w) => w.name === "day");
    if (!day || day.limit === null || day.granted < day.limit) return;
    const dayStart = windowAt("day", now).start;
    if (this.rows.accountRow()?.quota_exhausted_day === dayStart) return;
    this.write("UPDATE account SET quota_exhausted_day = ?", dayStart);
    this.events.record(
      account.accountId,
      "quota.exhausted",
      EDGE_ACTOR,
      { window: "day", limit: day.limit, resets_at: rfc3339(day.end) },
      now,
    );
    this.afterChange();
  }

  /** Usage an isolate hands in on its own (no check to bring it with): applied once. */
  handInUsage(batch: UsageHandIn): boolean {
    if (!this.getAccount()) return true; // a closed or unknown account: dropped
    this.usage.handIn(batch, Date.now());
    return true;
  }

  /** The account's usage (docs/usage.md); `unknown_key` when `keyId` is not one of its keys. */
  usageOf(query: UsageQuery): AuthorityResult<ReturnType<UsageLedger["query"]>> {
    if (!this.getAccount()) return { ok: false, code: "unknown_account" };
    if (query.keyId !== null && !this.rows.key(query.keyId)) return { ok: false, code: "unknown_key" };
    return { ok: true, value: this.usage.query(query) };
  }

  /** A page of the account's events (docs/events.md). */
  eventsOf(query: EventQuery): AuthorityResult<ReturnType<EventLog["page"]>> {
    const account = this.getAccount();
    if (!account) return { ok: false, code: "unknown_account" };
    return { ok: true, value: this.events.page(account.accountId, query) };
  }

  /** One alarm, several duties: the outbox's retries, expiry events due, a closed account's erasure. */
  override async alarm(): Promise<void> {
    const accountId = this.accountId();
    if (accountId !== null && this.getAccount()) {
      this.ctx.storage.transactionSync(() => this.recordExpiryDuties(accountId, Date.now()));
    }
    await this.flushRecords();
    await this.handOnEvents();
    await this.eraseIfClosedAndDone();
    if (this.rows.accountRow()) await this.scheduleAlarm();
  }

  /** Records `key.expired` and `key.expiring` for the keys due at `now`; call inside a transaction. */
  private recordExpiryDuties(accountId: string, now: number): void {
    const { expiring, expired } = this.rows.expiryDuties(now, EXPIRING_NOTICE_MS);
    for (const row of expired) {
      this.write("UPDATE api_keys SET expired_recorded = 1, expiring_recorded = 1 WHERE id = ?", row.id);
      this.events.record(
        accountId,
        "key.expired",
        EDGE_ACTOR,
        { key_id: row.id, expires_at: rfc3339(row.expires_at) },
        now,
      );
    }
    for (const row of expiring) {
      this.write("UPDATE api_keys SET expiring_recorded = 1 WHERE id = ?", row.id);
      this.events.record(
        accountId,
        "key.expiring",
        EDGE_ACTOR,
        { key_id: row.id, expires_at: rfc3339(row.expires_at) },
        now,
      );
    }
  }

  /** After a change: events are handed on in the background, and the alarm set for what is owed next. */
  private afterChange(): void {
    this.ctx.waitUntil(this.handOnEvents().then(() => this.scheduleAlarm()));
  }

  /** Sets the one alarm for the soonest duty: an outbox retry, or the next expiry event. */
  private async scheduleAlarm(): Promise<void> {
    const now = Date.now();
    const owed = this.outbox.hasRecords() || this.events.hasPending();
    const candidates: number[] = [];
    if (owed) candidates.push(this.retryAt > now ? this.retryAt : now + 1_000);
    const { next } = this.rows.expiryDuties(now, EXPIRING_NOTICE_MS);
    if (next !== null) candidates.push(next);
    if (candidates.length === 0) return;
    // A duty years away (a key expiring in 9999) is looked at again in 30 days: alarms take no date after 2189.
    await this.ctx.storage.setAlarm(Math.min(...candidates, now + ALARM_HORIZON_MS));
  }

  private async flushRecords(): Promise<void> {
    const retryIn = await this.outbox.flushRecords(() => {
      this.stats.kvWrites++;
    });
    if (retryIn > 0) {
      this.retryAt = Date.now() + retryIn;
      await this.ctx.storage.setAlarm(this.retryAt);
    }
  }

  private handOnEvents(): Promise<void> {
    const run = this.handingOn.then(async () => {
      const retryIn = await this.outbox.flushEvents();
      if (retryIn > 0) this.retryAt = Date.now() + retryIn;
    });
    this.handingOn = run.catch(() => {});
    return this.handingOn;
  }

  private accountId(): string | null {
    return this.rows.accountRow()?.account_id ?? null;
  }

  private write(query: string, ...bindings: (string | number | null)[]): number {
    const { rowsWritten } = this.sql.exec(query, ...bindings);
    this.stats.rowsWritten += rowsWritten;
    return rowsWritten;
  }
}

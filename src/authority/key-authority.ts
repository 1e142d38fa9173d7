/**
 * @module
 * The key authority: one SQLite-backed Durable Object per account, the source of truth for the
 * account's plan, its keys, their usage and its events. This class is the RPC façade: each duty
 * lives in its own file, over the storage they share (`store.ts`): rows (`key-rows`), key changes
 * (`key-changes`), the hot path's checks (`key-checks`), quota grants (`quota-ledger`), leases
 * (`lease-ledger`), the event log (`event-log`), usage (`usage-ledger`), and the outbox that writes
 * KV through and hands events to the queue (`outbox`). Every change commits here first, with its
 * events, in one transaction; one alarm retries the outbox and records expiry events when due.
 */
import { DurableObject } from "cloudflare:workers";
import { EXPIRING_NOTICE_MS, LEAK_ACTOR } from "../domain/events";
import type { LimitsOverride, Plan } from "../domain/policy";
import type { UsageHandIn } from "../domain/usage";
import { type Bindings, readConfig } from "../env";
import { webhookSettings } from "../events/webhook-config";
import { EventLog, type EventQuery } from "./event-log";
import { createKey, recordExpiryDuties, revokeKeys, rollKey } from "./key-changes";
import { answerChecks } from "./key-checks";
import { isUsable, type KeyRow, KeyRows, toAccount, toStoredKey } from "./key-rows";
import { LeaseLedger } from "./lease-ledger";
import { type EventSink, Outbox } from "./outbox";
import { presentAccount } from "./present";
import { migrate } from "./schema";
import { SqlQuotaStore } from "./sql-quota-store";
import type { AuthorityStats, AuthorityStore } from "./store";
import type {
  Account,
  AuthorityResult,
  KeyCheck,
  KeyQuestion,
  LeakedKey,
  NewKey,
  Roll,
  Rolled,
  StoredKey,
} from "./types";
import { UsageLedger, type UsageQuery } from "./usage-ledger";

export type { AuthorityStats } from "./store";

/** The furthest ahead the alarm is set; a later duty is looked at again then. */
const ALARM_HORIZON_MS = 30 * 86_400_000;

export class KeyAuthority extends DurableObject<Bindings> {
  readonly stats: AuthorityStats = { checks: 0, rowsWritten: 0, lastUsedWrites: 0, kvWrites: 0 };
  private readonly store: AuthorityStore;
  /** When the outbox's next retry is due (0: none owed). */
  private retryAt = 0;
  /** Event hand-ons run one after another. */
  private handingOn: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    migrate(sql, (fn) => ctx.storage.transactionSync(fn));
    const write = (query: string, ...bindings: (string | number | null)[]) => {
      const { rowsWritten } = sql.exec(query, ...bindings);
      this.stats.rowsWritten += rowsWritten;
      return rowsWritten;
    };
    const delivering = webhookSettings(env).deliver;
    const rows = new KeyRows(sql, write);
    const events = new EventLog(sql, write, () => delivering);
    const sink = delivering ? (env.EVENTS as EventSink | undefined) : undefined;
    this.store = {
      ctx,
      rows,
      events,
      usage: new UsageLedger(sql, write, (keyId) => rows.key(keyId) !== undefined),
      outbox: new Outbox(sql, write, events, () => rows.accountRow()?.account_id ?? null, env.API_KEYS, sink),
      quota: new SqlQuotaStore(sql, (n) => {
        this.stats.rowsWritten += n;
      }),
      leases: new LeaseLedger(readConfig(env).authLeaseMs, Date.now()),
      stats: this.stats,
      write,
      account: () => this.getAccount(),
      afterChange: () => this.afterChange(),
    };
  }

  /** The KV namespace written through to; a test may swap it for one that fails. */
  get kv(): KVNamespace {
    return this.store.outbox.kv;
  }

  set kv(kv: KVNamespace) {
    this.store.outbox.kv = kv;
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
    const { rows, events } = this.store;
    if (rows.accountRow()?.closed_at != null) await this.erase();
    const limits = override === null || Object.keys(override).length === 0 ? null : JSON.stringify(override);
    const before = this.getAccount();
    const after = toAccount({ account_id: accountId, plan, limits, quota_exhausted_day: null, closed_at: null });
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      rows.putAccount(accountId, plan, limits, now);
      const current = presentAccount(after);
      if (!before) {
        events.record(accountId, "account.created", actor, { plan, limits: current.limits }, now);
      } else if (before.plan !== plan || JSON.stringify(before.limits) !== JSON.stringify(after.limits)) {
        const previous = { plan: before.plan, limits: presentAccount(before).limits };
        events.record(accountId, "account.updated", actor, { plan, limits: current.limits, previous }, now);
      }
    });
    this.afterChange();
    if (rows.hasKeys()) await this.store.leases.waitForQuiet();
    return after;
  }

  /** The account, or `null` when it was never `PUT` or has been closed. */
  getAccount(): Account | null {
    const row = this.store.rows.accountRow();
    return row && row.closed_at === null ? toAccount(row) : null;
  }

  /** Stores a key (its hash, never the key), records `key.created`, and writes its KV record through. */
  async createKey(input: NewKey, actor: string | null = null): Promise<AuthorityResult<StoredKey>> {
    const account = this.getAccount();
    if (!account) return { ok: false, code: "unknown_account" };
    const row = createKey(this.store, account, input, actor);
    await this.flushRecords();
    this.afterChange();
    return { ok: true, value: toStoredKey(row) };
  }

  /**
   * Rolls a key (./key-changes.ts). When the roll shortens the old key's expiry, answers once no
   * lease on it can still be current, so that it is refused from its new expiry on, everywhere.
   */
  async rollKey(keyId: string, input: Roll, actor: string | null = null): Promise<AuthorityResult<Rolled>> {
    const account = this.getAccount();
    if (!account) return { ok: false, code: "unknown_account" };
    const rolled = rollKey(this.store, account, keyId, input, actor);
    if (!rolled.ok) return rolled;
    const { created, oldExpiresAt, previousExpiresAt } = rolled.value;
    await this.flushRecords();
    this.afterChange();
    if (oldExpiresAt !== previousExpiresAt) await this.store.leases.waitForQuiet(keyId);
    return { ok: true, value: { key: toStoredKey(created), old: { id: keyId, expiresAt: oldExpiresAt } } };
  }

  listKeys(): AuthorityResult<StoredKey[]> {
    if (!this.getAccount()) return { ok: false, code: "unknown_account" };
    return { ok: true, value: this.store.rows.all().map(toStoredKey) };
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
    const row = this.store.rows.key(keyId);
    if (!row) return { ok: false, code: "unknown_key" };
    const revokedAt = revokeKeys(this.store, account, [row], "revoked", actor, () => null);
    await this.flushRecords();
    this.afterChange();
    await this.store.leases.waitForQuiet(keyId);
    return { ok: true, value: { id: keyId, revokedAt: revokedAt[0] as number } };
  }

  /**
   * Revokes this account's keys that leak reports name (docs/leak-reports.md), with reason
   * `leaked`, in one transaction, then answers when no lease on any of them can still be current.
   * Answers, per report, whether it named a key of this account (its id and hash both match): a
   * true positive, active or not.
   */
  async revokeLeaked(reports: readonly LeakedKey[]): Promise<boolean[]> {
    const account = this.getAccount();
    if (!account) return reports.map(() => false);
    const rows = reports.map((report) => {
      const row = this.store.rows.key(report.keyId);
      return row && row.hash === report.hash ? row : undefined;
    });
    const found = rows.filter((row): row is KeyRow => row !== undefined);
    const reportOf = new Map(reports.map((r) => [r.keyId, r]));
    const newlyRevoked = found.filter((row) => row.revoked_at === null).map((row) => row.id);
    // Reported when revoked: the leak's time is the revocation's.
    revokeKeys(this.store, account, found, "leaked", LEAK_ACTOR, (row, now) => {
      const r = reportOf.get(row.id);
      return r ? { url: r.url, source: r.source, reportedAt: now } : null;
    });
    await this.flushRecords();
    this.afterChange();
    for (const keyId of newlyRevoked) await this.store.leases.waitForQuiet(keyId);
    return rows.map((row) => row !== undefined);
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
    const { rows, outbox, events } = this.store;
    const now = Date.now();
    const keys = rows.all();
    const keysRevoked = keys.filter((row) => isUsable(row, now)).length;
    this.ctx.storage.transactionSync(() => {
      this.store.write("UPDATE account SET closed_at = ?", now);
      for (const row of keys) outbox.enqueueRemoval(row.hash);
      events.record(account.accountId, "account.closed", actor, { keys_revoked: keysRevoked }, now);
    });
    await this.flushRecords();
    await this.store.leases.waitForQuiet();
    await this.handOnEvents();
    await this.eraseIfClosedAndDone();
    if (rows.accountRow()) this.afterChange();
    return { ok: true, value: { closedAt: now, keysRevoked } };
  }

  /** Erases a closed account's storage once nothing is owed any more (KV removals, the close event). */
  private async eraseIfClosedAndDone(): Promise<void> {
    if (this.store.rows.accountRow()?.closed_at == null) return;
    if (this.store.outbox.hasRecords() || this.store.events.hasPending()) return;
    await this.erase();
  }

  /** Erases everything this authority stores, alarm included, and starts an empty store. */
  private async erase(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    migrate(this.ctx.storage.sql, (fn) => this.ctx.storage.transactionSync(fn));
    this.retryAt = 0;
  }

  /**
   * The hot path's question, for one key or several of this account at once (./key-checks.ts).
   * `null`: storage failed (the edge fails closed).
   */
  checkKeys(
    questions: readonly KeyQuestion[],
    requestedLeaseMs: number,
    usage: UsageHandIn | null = null,
  ): KeyCheck[] | null {
    this.stats.checks++;
    try {
      return answerChecks(this.store, questions, requestedLeaseMs, usage);
    } catch (error) {
      // A storage failure: answered as "cannot say" (the edge fails closed with 503), and logged
      // here as one line rather than thrown across RPC as an uncaught exception.
      console.error(JSON.stringify({ authority_error: "checkKeys", error: String(error) }));
      return null;
    }
  }

  /** Usage an isolate hands in on its own (no check to bring it with): applied once. */
  handInUsage(batch: UsageHandIn): boolean {
    if (!this.getAccount()) return true; // a closed or unknown account: dropped
    this.store.usage.handIn(batch, Date.now());
    return true;
  }

  /** The account's usage (docs/usage.md); `unknown_key` when `keyId` is not one of its keys. */
  usageOf(query: UsageQuery): AuthorityResult<ReturnType<UsageLedger["query"]>> {
    if (!this.getAccount()) return { ok: false, code: "unknown_account" };
    if (query.keyId !== null && !this.store.rows.key(query.keyId)) return { ok: false, code: "unknown_key" };
    return { ok: true, value: this.store.usage.query(query) };
  }

  /** A page of the account's events (docs/events.md). */
  eventsOf(query: EventQuery): AuthorityResult<ReturnType<EventLog["page"]>> {
    const account = this.getAccount();
    if (!account) return { ok: false, code: "unknown_account" };
    return { ok: true, value: this.store.events.page(account.accountId, query) };
  }

  /** One alarm, several duties: the outbox's retries, expiry events due, a closed account's erasure. */
  override async alarm(): Promise<void> {
    const account = this.getAccount();
    if (account) this.ctx.storage.transactionSync(() => recordExpiryDuties(this.store, account.accountId, Date.now()));
    await this.flushRecords();
    await this.handOnEvents();
    await this.eraseIfClosedAndDone();
    if (this.store.rows.accountRow()) await this.scheduleAlarm();
  }

  /** After a change: events are handed on in the background, and the alarm set for what is owed next. */
  private afterChange(): void {
    this.ctx.waitUntil(this.handOnEvents().then(() => this.scheduleAlarm()));
  }

  /** Sets the one alarm for the soonest duty: an outbox retry, or the next expiry event. */
  private async scheduleAlarm(): Promise<void> {
    const now = Date.now();
    const owed = this.store.outbox.hasRecords() || this.store.events.hasPending();
    const candidates: number[] = [];
    if (owed) candidates.push(this.retryAt > now ? this.retryAt : now + 1_000);
    const { next } = this.store.rows.expiryDuties(now, EXPIRING_NOTICE_MS);
    if (next !== null) candidates.push(next);
    if (candidates.length === 0) return;
    // A duty years away (a key expiring in 9999) is looked at again in 30 days: alarms take no date after 2189.
    await this.ctx.storage.setAlarm(Math.min(...candidates, now + ALARM_HORIZON_MS));
  }

  private async flushRecords(): Promise<void> {
    const retryIn = await this.store.outbox.flushRecords(() => {
      this.stats.kvWrites++;
    });
    if (retryIn > 0) {
      this.retryAt = Date.now() + retryIn;
      await this.ctx.storage.setAlarm(this.retryAt);
    }
  }

  private handOnEvents(): Promise<void> {
    const run = this.handingOn.then(async () => {
      const retryIn = await this.store.outbox.flushEvents();
      if (retryIn > 0) this.retryAt = Date.now() + retryIn;
    });
    this.handingOn = run.catch(() => {});
    return this.handingOn;
  }
}

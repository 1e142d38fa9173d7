/**
 * @module
 * The key authority: one SQLite-backed Durable Object per account, the source of truth for the
 * account's plan, its keys, their usage and its events. This class is the RPC façade: each duty
 * lives in its own file, over the storage they share (`store.ts`): rows (`key-rows`), account and
 * key changes (`account-changes`, `key-changes`), the hot path's checks (`key-checks`), quota grants
 * (`quota-ledger`), leases (`lease-ledger`), the event log (`event-log`), usage (`usage-ledger`),
 * the outbox that writes KV through and hands events to the queue (`outbox`), and what is owed
 * after a change, with the one alarm (`duties`). Every change commits first, with its events, in
 * one transaction; the alarm retries the outbox and records expiry events when due.
 */
import { DurableObject } from "cloudflare:workers";
import type { LimitsOverride, Plan } from "../domain/policy";
import type { UsageHandIn } from "../domain/usage";
import { type Bindings, readConfig } from "../env";
import { webhookSettings } from "../events/webhook-config";
import { closeAccount, putAccount } from "./account-changes";
import { AuthorityDuties } from "./duties";
import { EventLog, type EventQuery } from "./event-log";
import { createKey, revokeKeys, revokeLeakedKeys, rollKey } from "./key-changes";
import { answerChecks } from "./key-checks";
import { KeyRows, toAccount, toStoredKey } from "./key-rows";
import { LeaseLedger } from "./lease-ledger";
import { type EventSink, Outbox } from "./outbox";
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

export class KeyAuthority extends DurableObject<Bindings> {
  readonly stats: AuthorityStats = { checks: 0, rowsWritten: 0, lastUsedWrites: 0, kvWrites: 0 };
  private readonly store: AuthorityStore;
  private readonly duties: AuthorityDuties;

  /** `env.API_KEYS` is the KV namespace written through to: a test builds an authority with one that fails. */
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
      afterChange: () => this.duties.afterChange(),
    };
    this.duties = new AuthorityDuties(this.store);
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
    if (this.store.rows.accountRow()?.closed_at != null) await this.duties.erase();
    const after = putAccount(this.store, accountId, plan, override, actor);
    this.duties.afterChange();
    if (this.store.rows.hasKeys()) await this.store.leases.waitForQuiet();
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
    await this.duties.flushRecords();
    this.duties.afterChange();
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
    await this.duties.flushRecords();
    this.duties.afterChange();
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
    await this.duties.flushRecords();
    this.duties.afterChange();
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
    const { named, newlyRevoked } = revokeLeakedKeys(this.store, account, reports);
    await this.duties.flushRecords();
    this.duties.afterChange();
    for (const keyId of newlyRevoked) await this.store.leases.waitForQuiet(keyId);
    return named;
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
    const keysRevoked = closeAccount(this.store, account, actor, now);
    await this.duties.flushRecords();
    await this.store.leases.waitForQuiet();
    await this.duties.handOnEvents();
    await this.duties.eraseIfClosedAndDone();
    if (this.store.rows.accountRow()) this.duties.afterChange();
    return { ok: true, value: { closedAt: now, keysRevoked } };
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

  /** One alarm, several duties (./duties.ts). */
  override alarm(): Promise<void> {
    return this.duties.alarm();
  }
}

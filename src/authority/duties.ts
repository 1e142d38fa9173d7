/**
 * @module
 * What the authority owes once a change has committed, and its one alarm (docs/consistency.md):
 * KV records written through (the outbox, retried until KV agrees), events handed to the queue,
 * expiry events recorded when due, and a closed account's storage erased once nothing is owed.
 * Record flushes run one at a time (./outbox.ts), and so do event hand-ons.
 */
import { EXPIRING_NOTICE_MS } from "../domain/events";
import { recordExpiryDuties } from "./key-changes";
import { migrate } from "./schema";
import type { AuthorityStore } from "./store";

/** The furthest ahead the alarm is set; a later duty is looked at again then. */
const ALARM_HORIZON_MS = 30 * 86_400_000;

export class AuthorityDuties {
  /** When the outbox's next retry is due (0: none owed). */
  private retryAt = 0;
  /** Event hand-ons run one after another. */
  private handingOn: Promise<void> = Promise.resolve();

  constructor(private readonly store: AuthorityStore) {}

  /** After a change: events are handed on in the background, and the alarm set for what is owed next. */
  afterChange(): void {
    this.store.ctx.waitUntil(this.handOnEvents().then(() => this.scheduleAlarm()));
  }

  /** Writes the KV records owed; a failure leaves them owed and sets the alarm for the retry. */
  async flushRecords(): Promise<void> {
    const retryIn = await this.store.outbox.flushRecords(() => {
      this.store.stats.kvWrites++;
    });
    if (retryIn > 0) {
      this.retryAt = Date.now() + retryIn;
      await this.store.ctx.storage.setAlarm(this.retryAt);
    }
  }

  /** Hands the committed events to the queue. */
  handOnEvents(): Promise<void> {
    const run = this.handingOn.then(async () => {
      const retryIn = await this.store.outbox.flushEvents();
      if (retryIn > 0) this.retryAt = Date.now() + retryIn;
    });
    this.handingOn = run.catch(() => {});
    return this.handingOn;
  }

  /** One alarm, several duties: the outbox's retries, expiry events due, a closed account's erasure. */
  async alarm(): Promise<void> {
    const { ctx, rows } = this.store;
    const account = this.store.account();
    if (account) ctx.storage.transactionSync(() => recordExpiryDuties(this.store, account.accountId, Date.now()));
    await this.flushRecords();
    await this.handOnEvents();
    await this.eraseIfClosedAndDone();
    if (rows.accountRow()) await this.scheduleAlarm();
  }

  /** Erases a closed account's storage once nothing is owed any more (KV removals, the close event). */
  async eraseIfClosedAndDone(): Promise<void> {
    if (this.store.rows.accountRow()?.closed_at == null) return;
    if (this.store.outbox.hasRecords() || this.store.events.hasPending()) return;
    await this.erase();
  }

  /** Erases everything the authority stores, alarm included, and starts an empty store. */
  async erase(): Promise<void> {
    const { storage } = this.store.ctx;
    await storage.deleteAlarm();
    await storage.deleteAll();
    migrate(storage.sql, (fn) => storage.transactionSync(fn));
    this.retryAt = 0;
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
    await this.store.ctx.storage.setAlarm(Math.min(...candidates, now + ALARM_HORIZON_MS));
  }
}

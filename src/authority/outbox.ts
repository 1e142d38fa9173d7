/**
 * @module
 * The authority's outbox (docs/consistency.md): what a committed change still owes the world. KV
 * records of keys (written through so the hot path finds them) and events for the `EVENTS` queue
 * (docs/events.md) enter it in the change's own transaction; a flush hands them on, one flush at a
 * time, so that an older KV record can never overwrite a newer one. What fails is retried by the
 * alarm, after 1 s, 2 s, 4 s … at most 60 s. A change awaits the KV writes (the hot path needs
 * them) but never the events' hand-on, and never their delivery.
 */
import type { AccountEvent } from "../domain/events";
import { type KeyRecord, kvKeyFor } from "../keys/record";
import type { EventLog } from "./event-log";

const MAX_RETRY_DELAY_MS = 60_000;
/** Events per `sendBatch` (the platform's maximum is 100). */
const EVENT_BATCH = 50;

/** Where events go: the `EVENTS` queue's producer binding. */
export interface EventSink {
  sendBatch(messages: { body: AccountEvent }[]): Promise<unknown>;
}

export class Outbox {
  /** Flushes run one after another. */
  private flushing: Promise<number> = Promise.resolve(0);

  constructor(
    private readonly sql: SqlStorage,
    private readonly write: (query: string, ...bindings: (string | number | null)[]) => number,
    private readonly events: EventLog,
    private readonly accountId: () => string | null,
    /** The KV namespace written through to (the constructor's `API_KEYS`: a test builds an authority with one that fails). */
    private readonly kv: KVNamespace,
    private readonly sink: EventSink | undefined,
  ) {}

  /** Owes KV `record` under the key's hash; call inside the change's transaction. */
  enqueueRecord(hash: string, record: KeyRecord): void {
    this.write(
      `INSERT INTO kv_outbox (kv_key, record, attempts) VALUES (?, ?, 0)
       ON CONFLICT (kv_key) DO UPDATE SET record = excluded.record, attempts = 0`,
      kvKeyFor(hash),
      JSON.stringify(record),
    );
  }

  /** Owes KV the removal of the key's record (an account closed). */
  enqueueRemoval(hash: string): void {
    this.write(
      `INSERT INTO kv_outbox (kv_key, record, attempts) VALUES (?, '', 0)
       ON CONFLICT (kv_key) DO UPDATE SET record = '', attempts = 0`,
      kvKeyFor(hash),
    );
  }

  /** Hands on the KV records; returns when the next retry is due (0: none). */
  flushRecords(kvWrites: () => void): Promise<number> {
    const run = this.flushing.then(() => this.flushRecordsOnce(kvWrites));
    this.flushing = run.catch(() => 0);
    return run;
  }

  private async flushRecordsOnce(kvWrites: () => void): Promise<number> {
    type OutboxRow = { kv_key: string; record: string; attempts: number };
    const pending = this.sql.exec<OutboxRow>("SELECT * FROM kv_outbox").toArray();
    let retryIn = 0;
    for (const { kv_key, record, attempts } of pending) {
      try {
        kvWrites();
        if (record === "") await this.kv.delete(kv_key);
        else await this.kv.put(kv_key, record);
        this.write("DELETE FROM kv_outbox WHERE kv_key = ? AND record = ?", kv_key, record);
      } catch {
        this.write("UPDATE kv_outbox SET attempts = attempts + 1 WHERE kv_key = ?", kv_key);
        retryIn = soonest(retryIn, retryDelay(attempts));
      }
    }
    return retryIn;
  }

  hasRecords(): boolean {
    return this.sql.exec("SELECT 1 FROM kv_outbox LIMIT 1").toArray().length > 0;
  }

  /** Hands pending events to the queue; returns when the next retry is due (0: none). */
  async flushEvents(): Promise<number> {
    const accountId = this.accountId();
    if (!this.sink || accountId === null) return 0;
    for (;;) {
      const batch = this.events.pending(accountId, EVENT_BATCH);
      if (batch.length === 0) return 0;
      const ids = batch.map((e) => e.id);
      try {
        await this.sink.sendBatch(batch.map((body) => ({ body })));
        this.events.handedOn(ids);
      } catch {
        return retryDelay(this.events.failed(ids) - 1);
      }
    }
  }
}

function retryDelay(attempts: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, 1_000 * 2 ** attempts);
}

function soonest(a: number, b: number): number {
  return a === 0 ? b : Math.min(a, b);
}

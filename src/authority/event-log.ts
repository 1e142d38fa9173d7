/**
 * @module
 * The account's event log (docs/events.md): every change the authority commits is recorded here in
 * the same transaction as the change, and, while webhooks are configured, put in the delivery
 * outbox in that transaction too (the alarm hands it to the `EVENTS` queue; a change never waits
 * for delivery). Ids are monotonic ULIDs, so they sort in the order events were recorded. No event
 * holds a key, a hash of one, or a token: the data is built from presented keys and ids only.
 */
import { monotonicFactory } from "ulidx";
import { type AccountEvent, EVENT_RETENTION_MS, type EventType } from "../domain/events";

type EventRow = { id: string; type: EventType; created_at: number; actor: string | null; data: string };

/** Which events a page of the events API holds. */
export interface EventQuery {
  readonly after: string | null;
  readonly limit: number;
  readonly type: EventType | null;
}

const DAY_MS = 86_400_000;

export class EventLog {
  private readonly ulid = monotonicFactory();
  /** The latest day this instance has pruned up to. */
  private prunedDay = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly write: (query: string, ...bindings: (string | number | null)[]) => number,
    /** Whether events are to be delivered (webhooks configured): only then do they enter the outbox. */
    private readonly delivering: () => boolean,
  ) {}

  /** Records an event; call inside the transaction of the change it describes. */
  record(
    accountId: string,
    type: EventType,
    actor: string | null,
    data: Record<string, unknown>,
    now: number,
  ): AccountEvent {
    const id = `evt_${this.ulid(now)}`;
    this.write(
      "INSERT INTO events (id, type, created_at, actor, data) VALUES (?, ?, ?, ?, ?)",
      id,
      type,
      now,
      actor,
      JSON.stringify(data),
    );
    if (this.delivering()) this.write("INSERT INTO event_outbox (event_id, attempts) VALUES (?, 0)", id);
    this.prune(now);
    return { id, type, account_id: accountId, created_at: new Date(now).toISOString(), actor, data };
  }

  /** One page of events, oldest first, after `after`; `next` when the page is full. */
  page(accountId: string, query: EventQuery): { events: AccountEvent[]; next: string | null } {
    const rows = this.sql
      .exec<EventRow>(
        `SELECT * FROM events WHERE id > ? AND (? IS NULL OR type = ?) ORDER BY id LIMIT ?`,
        query.after ?? "",
        query.type,
        query.type,
        query.limit,
      )
      .toArray();
    const events = rows.map((row) => this.toEvent(accountId, row));
    const next = events.length === query.limit ? (events[events.length - 1]?.id ?? null) : null;
    return { events, next };
  }

  /** The events waiting to be handed to the queue, oldest first, at most `limit`. */
  pending(accountId: string, limit: number): AccountEvent[] {
    return this.sql
      .exec<EventRow>("SELECT e.* FROM event_outbox o JOIN events e ON e.id = o.event_id ORDER BY e.id LIMIT ?", limit)
      .toArray()
      .map((row) => this.toEvent(accountId, row));
  }

  /** Takes handed-on events out of the outbox. */
  handedOn(ids: readonly string[]): void {
    for (const id of ids) this.write("DELETE FROM event_outbox WHERE event_id = ?", id);
  }

  /** Counts a failed hand-on; returns the most attempts any of them has had. */
  failed(ids: readonly string[]): number {
    let most = 0;
    for (const id of ids) {
      this.write("UPDATE event_outbox SET attempts = attempts + 1 WHERE event_id = ?", id);
      const row = this.sql
        .exec<{ attempts: number }>("SELECT attempts FROM event_outbox WHERE event_id = ?", id)
        .toArray()[0];
      most = Math.max(most, row?.attempts ?? 0);
    }
    return most;
  }

  hasPending(): boolean {
    return this.sql.exec("SELECT 1 FROM event_outbox LIMIT 1").toArray().length > 0;
  }

  private toEvent(accountId: string, row: EventRow): AccountEvent {
    return {
      id: row.id,
      type: row.type,
      account_id: accountId,
      created_at: new Date(row.created_at).toISOString(),
      actor: row.actor,
      data: JSON.parse(row.data) as Record<string, unknown>,
    };
  }

  /** Drops events older than the retention, at most once a day per instance. */
  private prune(now: number): void {
    const day = Math.floor(now / DAY_MS);
    if (day <= this.prunedDay) return;
    this.prunedDay = day;
    this.write(
      "DELETE FROM events WHERE created_at < ? AND id NOT IN (SELECT event_id FROM event_outbox)",
      now - EVENT_RETENTION_MS,
    );
  }
}

/**
 * @module
 * The account's usage (docs/usage.md): the counts isolates hand in, kept per key and UTC hour and
 * per key and UTC day, and read back as buckets. A hand-in is applied once (its id is remembered
 * for 10 minutes, longer than any retry), only for keys of this account. Pruned once an hour:
 * hourly rows after 36 days, daily rows after 401 days.
 */
import {
  DAILY_RETENTION_MS,
  DAY_MS,
  type Granularity,
  HOUR_MS,
  HOURLY_RETENTION_MS,
  type UsageHandIn,
  type UsageTally,
} from "../domain/usage";

const HAND_IN_MEMORY_MS = 10 * 60_000;

export interface UsageQuery {
  readonly granularity: Granularity;
  /** Bucket starts, rounded; `to` exclusive. */
  readonly from: number;
  readonly to: number;
  readonly keyId: string | null;
}

export interface UsageAnswer {
  readonly buckets: { start: number; tally: UsageTally }[];
  readonly totals: UsageTally;
  /** Every key with any count in the range, most live requests admitted first, then by id. */
  readonly keys: { keyId: string; tally: UsageTally }[];
}

export function emptyTally(): UsageTally {
  return { admitted: 0, refused: {}, test: { admitted: 0, refused: {} } };
}

function add(tally: UsageTally, mode: string, outcome: string, count: number): void {
  const side = mode === "test" ? tally.test : tally;
  if (outcome === "admitted") side.admitted += count;
  else side.refused[outcome] = (side.refused[outcome] ?? 0) + count;
}

export class UsageLedger {
  private prunedHour = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly write: (query: string, ...bindings: (string | number | null)[]) => number,
    private readonly isKey: (keyId: string) => boolean,
  ) {}

  /** Applies a hand-in unless it was applied before; counts of keys this account does not have are dropped. */
  handIn(batch: UsageHandIn, now: number): void {
    if (this.sql.exec("SELECT 1 FROM usage_hand_ins WHERE id = ?", batch.id).toArray().length > 0) return;
    this.write("INSERT INTO usage_hand_ins (id, applied_at) VALUES (?, ?)", batch.id, now);
    const known = new Map<string, boolean>();
    for (const c of batch.counts) {
      if (!Number.isSafeInteger(c.count) || c.count <= 0) continue;
      let isKey = known.get(c.keyId);
      if (isKey === undefined) {
        isKey = this.isKey(c.keyId);
        known.set(c.keyId, isKey);
      }
      if (!isKey) continue;
      const hour = c.hour - (c.hour % HOUR_MS);
      const day = c.hour - (c.hour % DAY_MS);
      for (const [granularity, bucket] of [
        ["hour", hour],
        ["day", day],
      ] as const) {
        this.write(
          `INSERT INTO usage_counts (granularity, bucket, key_id, mode, outcome, count) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (granularity, bucket, key_id, mode, outcome) DO UPDATE SET count = count + excluded.count`,
          granularity,
          bucket,
          c.keyId,
          c.mode,
          c.outcome,
          c.count,
        );
      }
    }
    this.prune(now);
  }

  query(q: UsageQuery): UsageAnswer {
    type Row = { bucket: number; key_id: string; mode: string; outcome: string; count: number };
    const rows = this.sql
      .exec<Row>(
        `SELECT bucket, key_id, mode, outcome, count FROM usage_counts
         WHERE granularity = ? AND bucket >= ? AND bucket < ? AND (? IS NULL OR key_id = ?)`,
        q.granularity,
        q.from,
        q.to,
        q.keyId,
        q.keyId,
      )
      .toArray();
    const step = q.granularity === "hour" ? HOUR_MS : DAY_MS;
    const buckets: { start: number; tally: UsageTally }[] = [];
    const byStart = new Map<number, UsageTally>();
    for (let start = q.from; start < q.to; start += step) {
      const tally = emptyTally();
      buckets.push({ start, tally });
      byStart.set(start, tally);
    }
    const totals = emptyTally();
    const perKey = new Map<string, UsageTally>();
    for (const row of rows) {
      const bucket = byStart.get(row.bucket);
      if (bucket) add(bucket, row.mode, row.outcome, row.count);
      add(totals, row.mode, row.outcome, row.count);
      let tally = perKey.get(row.key_id);
      if (!tally) {
        tally = emptyTally();
        perKey.set(row.key_id, tally);
      }
      add(tally, row.mode, row.outcome, row.count);
    }
    const keys = [...perKey.entries()]
      .map(([keyId, tally]) => ({ keyId, tally }))
      .sort((a, b) => b.tally.admitted - a.tally.admitted || (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
    return { buckets, totals, keys };
  }

  private prune(now: number): void {
    const hour = now - (now % HOUR_MS);
    if (hour <= this.prunedHour) return;
    this.prunedHour = hour;
    this.write("DELETE FROM usage_counts WHERE granularity = 'hour' AND bucket < ?", now - HOURLY_RETENTION_MS);
    this.write("DELETE FROM usage_counts WHERE granularity = 'day' AND bucket < ?", now - DAILY_RETENTION_MS);
    this.write("DELETE FROM usage_hand_ins WHERE applied_at < ?", now - HAND_IN_MEMORY_MS);
  }
}

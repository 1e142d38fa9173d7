/**
 * @module
 * The authority's SQLite as a {@link QuotaStore}: table `quota_windows` (docs/storage-schema.md).
 * Rows of windows that have ended are pruned when a later window than any seen so far begins
 * (about once a minute), not on every grant.
 */
import type { QuotaStore } from "./quota-ledger";

export class SqlQuotaStore implements QuotaStore {
  /** The latest window start this instance has pruned up to (a restarted instance prunes on its first grant). */
  private prunedUpTo = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly countWrites: (rows: number) => void,
  ) {}

  granted(scope: string, start: number): number {
    const row = this.sql
      .exec<{ granted: number }>("SELECT granted FROM quota_windows WHERE scope = ? AND window_start = ?", scope, start)
      .toArray()[0];
    return row?.granted ?? 0;
  }

  set(scope: string, start: number, end: number, granted: number): void {
    const { rowsWritten } = this.sql.exec(
      `INSERT INTO quota_windows (scope, window_start, window_end, granted) VALUES (?, ?, ?, ?)
       ON CONFLICT (scope, window_start) DO UPDATE SET granted = excluded.granted`,
      scope,
      start,
      end,
      granted,
    );
    this.countWrites(rowsWritten);
    if (start > this.prunedUpTo) {
      this.pruneEnded(start);
      this.prunedUpTo = start;
    }
  }

  /** Drops the rows of every window that ended by `now`. */
  private pruneEnded(now: number): void {
    this.countWrites(this.sql.exec("DELETE FROM quota_windows WHERE window_end <= ?", now).rowsWritten);
  }
}

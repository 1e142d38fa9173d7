/**
 * @module
 * The key authority's SQLite schema, versioned. Accounts created by earlier versions keep their
 * data: on start, an authority runs every migration newer than its stored version, once, inside
 * one transaction. Version 1 is the schema of the first release, which stored no version at all.
 * docs/storage-schema.md describes every version.
 */

/** The migrations, in order: `MIGRATIONS[i]` takes a store from version `i` to `i + 1`. */
export const MIGRATIONS: readonly string[] = [
  // 1: accounts, keys, and the KV outbox (the first release).
  `CREATE TABLE IF NOT EXISTS account (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
     account_id TEXT NOT NULL,
     plan TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE IF NOT EXISTS api_keys (
     id TEXT PRIMARY KEY,
     hash TEXT NOT NULL UNIQUE,
     hint TEXT NOT NULL,
     name TEXT,
     scopes TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER,
     revoked_at INTEGER,
     last_used_at INTEGER
   );
   CREATE TABLE IF NOT EXISTS kv_outbox (
     kv_key TEXT PRIMARY KEY,
     record TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0
   );`,
  // 2: rate limits and quotas. An account's overrides (JSON, absent windows take the plan's
  // default), a key's own minute limit, and what has been granted per window.
  `ALTER TABLE account ADD COLUMN limits TEXT;
   ALTER TABLE api_keys ADD COLUMN rate_limit_per_minute INTEGER;
   CREATE TABLE quota_windows (
     scope TEXT NOT NULL,
     window_start INTEGER NOT NULL,
     window_end INTEGER NOT NULL,
     granted INTEGER NOT NULL,
     PRIMARY KEY (scope, window_start)
   );`,
  // 3: the key lifecycle. A key's IP allowlist (JSON), why it was revoked, what it was rolled
  // from and to, and the leak report that revoked it (JSON). Keys revoked before this version were
  // revoked through DELETE.
  `ALTER TABLE api_keys ADD COLUMN allowed_ips TEXT;
   ALTER TABLE api_keys ADD COLUMN revoked_reason TEXT;
   ALTER TABLE api_keys ADD COLUMN rolled_from TEXT;
   ALTER TABLE api_keys ADD COLUMN rolled_to TEXT;
   ALTER TABLE api_keys ADD COLUMN leak TEXT;
   UPDATE api_keys SET revoked_reason = 'revoked' WHERE revoked_at IS NOT NULL;`,
  // 4: usage, events and test keys. A key's mode (every earlier key is live) and whether its
  // key.expiring and key.expired events were recorded; the last UTC day a quota.exhausted was
  // recorded; requests per key and hour (and day), by outcome; the hand-ins already applied (so
  // that a retried one is never counted twice); the event log and its delivery outbox.
  `ALTER TABLE api_keys ADD COLUMN mode TEXT NOT NULL DEFAULT 'live';
   ALTER TABLE api_keys ADD COLUMN expiring_recorded INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE api_keys ADD COLUMN expired_recorded INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE account ADD COLUMN quota_exhausted_day INTEGER;
   ALTER TABLE account ADD COLUMN closed_at INTEGER;
   CREATE TABLE usage_counts (
     granularity TEXT NOT NULL,
     bucket INTEGER NOT NULL,
     key_id TEXT NOT NULL,
     mode TEXT NOT NULL,
     outcome TEXT NOT NULL,
     count INTEGER NOT NULL,
     PRIMARY KEY (granularity, bucket, key_id, mode, outcome)
   );
   CREATE TABLE usage_hand_ins (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL);
   CREATE TABLE events (
     id TEXT PRIMARY KEY,
     type TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     actor TEXT,
     data TEXT NOT NULL
   );
   CREATE INDEX events_by_type ON events (type, id);
   CREATE TABLE event_outbox (event_id TEXT PRIMARY KEY, attempts INTEGER NOT NULL DEFAULT 0);
   UPDATE api_keys SET expiring_recorded = 1, expired_recorded = 1
     WHERE expires_at IS NOT NULL AND expires_at <= CAST(strftime('%s', 'now') AS INTEGER) * 1000;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The stored version: the `schema_version` row, or 1 for a store of the first release, or 0 for a new one. */
function storedVersion(sql: SqlStorage): number {
  sql.exec(
    "CREATE TABLE IF NOT EXISTS schema_version (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), version INTEGER NOT NULL)",
  );
  const row = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0];
  if (row) return row.version;
  const firstRelease = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'api_keys'").toArray();
  return firstRelease.length > 0 ? 1 : 0;
}

/**
 * Brings the store to {@link SCHEMA_VERSION}: every missing migration, then the new version, in one
 * transaction, so that a failure leaves the store as it was. Returns the version it started from.
 *
 * @example
 * migrate(ctx.storage.sql, (fn) => ctx.storage.transactionSync(fn));
 */
export function migrate(sql: SqlStorage, transaction: (fn: () => void) => void): number {
  let from = 0;
  transaction(() => {
    from = storedVersion(sql);
    if (from > SCHEMA_VERSION)
      throw new Error(`the store is at schema ${from}, newer than this code (${SCHEMA_VERSION})`);
    for (let v = from; v < SCHEMA_VERSION; v++) sql.exec(MIGRATIONS[v] as string);
    sql.exec(
      `INSERT INTO schema_version (singleton, version) VALUES (1, ?)
       ON CONFLICT (singleton) DO UPDATE SET version = excluded.version`,
      SCHEMA_VERSION,
    );
  });
  return from;
}

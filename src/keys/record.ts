/**
 * @module
 * The KV record of a key (`API_KEYS`, key `key:{sha256 hex}`): what the hot path needs to find the
 * key's authority. It never holds the key. Shapes are documented in docs/storage-schema.md.
 */

export interface KeyRecord {
  readonly v: 1;
  readonly account_id: string;
  readonly key_id: string;
  /** Set once the key is revoked; a revocation is never undone, so this may be trusted as it is. */
  readonly revoked_at: string | null;
}

/** @example kvKeyFor("9f86d0…") // "key:9f86d0…" */
export function kvKeyFor(hash: string): string {
  return `key:${hash}`;
}

/** The record in `value` (as read from KV), or `null` when it is not one. */
export function parseKeyRecord(value: unknown): KeyRecord | null {
  if (!value || typeof value !== "object") return null;
  const record = value as Partial<KeyRecord>;
  if (record.v !== 1 || typeof record.account_id !== "string" || typeof record.key_id !== "string") {
    return null;
  }
  return {
    v: 1,
    account_id: record.account_id,
    key_id: record.key_id,
    revoked_at: typeof record.revoked_at === "string" ? record.revoked_at : null,
  };
}

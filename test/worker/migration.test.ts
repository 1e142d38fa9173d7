/**
 * Data outlives code: an authority created by the first release (schema 1, no version stored) is
 * migrated on start, and its keys behave as before (docs/storage-schema.md).
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clearIsolateMemory } from "../../src/admission/isolate-memory";
import type { KeyAuthority } from "../../src/authority/key-authority";
import { generateKey, keyHint } from "../../src/keys/format";
import { sha256Hex } from "../../src/keys/hash";
import { admin, problemOf, received, registerCreatedKey, tag, withKey } from "./helpers";

/** The first release's schema, as it shipped (src/authority/key-authority.ts before round 2). */
const FIRST_RELEASE_SCHEMA = `
CREATE TABLE IF NOT EXISTS account (
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
);`;

interface OldKey {
  key: string;
  id: string;
  revokedAt: number | null;
}

/** An authority as the first release left it: its tables, an account on `pro`, two keys (one revoked), and their KV records. */
async function firstReleaseAccount(): Promise<{
  accountId: string;
  active: OldKey;
  revoked: OldKey;
  lastUsed: number;
}> {
  const accountId = `legacy_${tag()}`;
  const active: OldKey = { key: generateKey("niq_live_"), id: "key_legacyActive0000001", revokedAt: null };
  const revoked: OldKey = {
    key: generateKey("niq_live_"),
    id: "key_legacyRevoked000001",
    revokedAt: Date.UTC(2026, 5, 1),
  };
  const lastUsed = Date.UTC(2026, 5, 2, 10, 31);
  const hashes = await Promise.all([active.key, revoked.key].map((k) => sha256Hex(k)));
  const stub = env.KEY_AUTHORITY.getByName(accountId);
  await runInDurableObject(stub, (_: KeyAuthority, state) => {
    const sql = state.storage.sql;
    // Every table the current version made goes: the store is as the first release left it.
    const tables = sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
      )
      .toArray();
    for (const { name } of tables) sql.exec(`DROP TABLE IF EXISTS ${name}`);
    sql.exec(FIRST_RELEASE_SCHEMA);
    sql.exec(
      "INSERT INTO account (singleton, account_id, plan, updated_at) VALUES (1, ?, 'pro', ?)",
      accountId,
      Date.UTC(2026, 4, 1),
    );
    [active, revoked].forEach((k, i) => {
      sql.exec(
        `INSERT INTO api_keys (id, hash, hint, name, scopes, created_at, expires_at, revoked_at, last_used_at)
         VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
        k.id,
        hashes[i] as string,
        keyHint(k.key, "niq_live_"),
        `legacy ${i}`,
        JSON.stringify(["competitors:read", "export", "usage:read"]),
        Date.UTC(2026, 4, 1),
        k.revokedAt,
        i === 0 ? lastUsed : null,
      );
    });
  });
  for (const [i, k] of [active, revoked].entries()) {
    const record = {
      v: 1,
      account_id: accountId,
      key_id: k.id,
      revoked_at: k.revokedAt ? new Date(k.revokedAt).toISOString() : null,
    };
    await env.API_KEYS.put(`key:${hashes[i]}`, JSON.stringify(record));
    await registerCreatedKey(k.key);
  }
  await evictDurableObject(stub);
  clearIsolateMemory();
  return { accountId, active, revoked, lastUsed };
}

describe("an authority of the first release, after the upgrade", () => {
  it("its keys keep working with their scopes, plan and last use; the revoked one stays revoked", async () => {
    const { accountId, active, revoked, lastUsed } = await firstReleaseAccount();
    const t = tag();
    const current = await withKey(active.key, `/v1/api-keys/current?t=${t}`);
    expect(current.status).toBe(200);
    expect(await current.json()).toMatchObject({
      id: active.id,
      name: "legacy 0",
      account_id: accountId,
      scopes: ["competitors:read", "export", "usage:read"],
      plan: "pro",
      rate_limit_per_minute: null,
      limits: { per_minute: 600, per_day: 100_000 },
    });
    expect((await withKey(active.key, `/v1/export?t=${t}`)).status).toBe(200);
    const refused = await withKey(revoked.key, `/v1/competitors?t=${t}`);
    expect(refused.status).toBe(401);
    expect((await problemOf(refused)).code).toBe("revoked_key");
    expect((await received(t)).map((r) => r.path)).toEqual(["/v1/export"]);
    const { keys } = (await (await admin("GET", `/accounts/${accountId}/keys`)).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(keys.map((k) => [k.id, k.revoked_at, k.revoked_reason, k.rate_limit_per_minute, k.allowed_ips])).toEqual([
      [active.id, null, null, null, null],
      [revoked.id, new Date(revoked.revokedAt ?? 0).toISOString(), "revoked", null, null],
    ]);
    // The last use the first release recorded is kept until a newer minute replaces it.
    expect(Date.parse(String(keys[0]?.last_used_at))).toBeGreaterThanOrEqual(lastUsed);
  });

  it("stores the schema version once migrated, and the account's limits can be set", async () => {
    const { accountId } = await firstReleaseAccount();
    const res = await admin("PUT", `/accounts/${accountId}`, { plan: "pro", limits: { per_minute: 7 } });
    expect(await res.json()).toEqual({
      account_id: accountId,
      plan: "pro",
      limits: { per_minute: 7, per_day: 100_000 },
    });
    const version = await runInDurableObject(
      env.KEY_AUTHORITY.getByName(accountId),
      (_: KeyAuthority, state) =>
        state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").one().version,
    );
    expect(version).toBe(4);
  });
});

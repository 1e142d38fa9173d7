/**
 * Revocation (docs/consistency.md): a key revoked through the admin API is refused everywhere once
 * the call has answered.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clearIsolateMemory } from "../../src/admission/isolate-memory";
import { sha256Hex } from "../../src/keys/hash";
import { admin, newAccount, newKey, problemOf, received, tag, withKey } from "./helpers";

describe("revocation (strong: docs/api.md#for-the-dashboard-backend-the-admin-api consistency)", () => {
  it("refuses the very next request with 401 revoked_key, and the origin receives nothing", async () => {
    const accountId = await newAccount();
    const { id, key } = await newKey(accountId);
    const other = await newKey(accountId);
    const t = tag();
    expect((await withKey(key, `/v1/competitors?t=${t}&before`)).status).toBe(200);
    expect((await admin("DELETE", `/accounts/${accountId}/keys/${id}`)).status).toBe(200);
    const res = await withKey(key, `/v1/competitors?t=${t}&after`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('NearIQ-Key realm="NearIQ API"');
    expect((await problemOf(res)).code).toBe("revoked_key");
    expect((await withKey(other.key, `/v1/competitors?t=${t}&other`)).status).toBe(200);
    expect((await received(t)).map((r) => r.query)).toEqual([`?t=${t}&before`, `?t=${t}&other`]);
  });

  it("keeps refusing when a stale KV record is written back after revocation", async () => {
    const accountId = await newAccount();
    const { id, key } = await newKey(accountId);
    const hash = await sha256Hex(key);
    const live = await env.API_KEYS.get(`key:${hash}`);
    await admin("DELETE", `/accounts/${accountId}/keys/${id}`);
    expect(JSON.parse((await env.API_KEYS.get(`key:${hash}`)) ?? "{}").revoked_at).toMatch(/Z$/);
    await env.API_KEYS.put(`key:${hash}`, live ?? "");
    clearIsolateMemory();
    const t = tag();
    const res = await withKey(key, `/v1/competitors?t=${t}`);
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe("revoked_key");
    expect(await received(t)).toEqual([]);
  });

  it("never authenticates a key the authority does not know, whatever KV holds", async () => {
    const accountId = await newAccount();
    const { id, key } = await newKey(accountId);
    const { key: stranger } = await newKey(await newAccount());
    const strangerHash = await sha256Hex(stranger);
    // A forged record: another key's hash pointing at this account's key id.
    await env.API_KEYS.put(
      `key:${strangerHash}`,
      JSON.stringify({ v: 1, account_id: accountId, key_id: id, revoked_at: null }),
    );
    clearIsolateMemory();
    const t = tag();
    const res = await withKey(stranger, `/v1/competitors?t=${t}`);
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe("invalid_key");
    expect((await withKey(key, `/v1/competitors?t=${t}&real`)).status).toBe(200);
    expect((await received(t)).length).toBe(1);
  });

  it("stores in KV only the hash as the KV key and ids as the value: no key, no secret", async () => {
    const accountId = await newAccount();
    const { id, key } = await newKey(accountId, { name: "kv check" });
    const hash = await sha256Hex(key);
    const raw = await env.API_KEYS.get(`key:${hash}`);
    expect(JSON.parse(raw ?? "null")).toEqual({ v: 1, account_id: accountId, key_id: id, revoked_at: null });
    const listed = await env.API_KEYS.list();
    for (const entry of listed.keys) {
      expect(entry.name).toMatch(/^key:[0-9a-f]{64}$/);
      expect(entry.name).not.toContain(key.slice(9));
      expect((await env.API_KEYS.get(entry.name)) ?? "").not.toContain(key.slice(9));
    }
  });
});

/**
 * The key lifecycle (docs/lifecycle.md, row 5a of docs/api.md#the-decision-table): rolling with a grace period, per-key IP
 * allowlists, revocation reasons. Expected values come from the documentation.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  admin,
  type CreatedKey,
  inOneMinute,
  keyList,
  newAccount,
  newAccountWithKey,
  newKey,
  problemOf,
  received,
  registerCreatedKey,
  tag,
  withKey,
} from "./helpers";

afterEach(() => {
  vi.useRealTimers();
});

interface Rolled extends CreatedKey {
  allowed_ips: string[] | null;
  rolled_from: string;
  old_key: { id: string; expires_at: string };
}

async function roll(accountId: string, keyId: string, body?: unknown): Promise<{ status: number; rolled: Rolled }> {
  const res = await admin("POST", `/accounts/${accountId}/keys/${keyId}/roll`, body);
  const rolled = (await res.json()) as Rolled;
  if (res.status === 201) await registerCreatedKey(rolled.key);
  return { status: res.status, rolled };
}

describe("rolling a key (docs/lifecycle.md)", () => {
  it("answers 201 with a new key copying scopes, minute limit, allowlist and name; the old one expires after the grace", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const now = Date.UTC(2030, 0, 1, 12, 0, 0);
    vi.setSystemTime(now);
    const { accountId, id, key } = await newAccountWithKey("pro", {
      name: "zapier",
      scopes: ["competitors:read", "usage:read"],
      rate_limit_per_minute: 30,
      allowed_ips: ["198.51.100.0/24", "2001:DB8::1"],
    });
    const { status, rolled } = await roll(accountId, id, { grace_seconds: 3600 });
    expect(status).toBe(201);
    expect(Object.keys(rolled).sort()).toEqual([
      "allowed_ips",
      "created_at",
      "expires_at",
      "id",
      "key",
      "mode",
      "name",
      "old_key",
      "rate_limit_per_minute",
      "rolled_from",
      "scopes",
    ]);
    expect(rolled).toMatchObject({
      name: "zapier",
      scopes: ["competitors:read", "usage:read"],
      expires_at: null,
      rate_limit_per_minute: 30,
      allowed_ips: ["198.51.100.0/24", "2001:db8::1/128"],
      rolled_from: id,
      old_key: { id, expires_at: "2030-01-01T13:00:00.000Z" },
      created_at: "2030-01-01T12:00:00.000Z",
    });
    expect(rolled.key).toMatch(/^niq_live_[0-9A-Za-z]{38}$/);
    expect(rolled.key).not.toBe(key);
    const list = await keyList(accountId);
    expect([list[id]?.rolled_to, list[id]?.rolled_from, list[id]?.expires_at]).toEqual([
      rolled.id,
      null,
      "2030-01-01T13:00:00.000Z",
    ]);
    expect([list[rolled.id]?.rolled_from, list[rolled.id]?.rolled_to]).toEqual([id, null]);
  });

  it("takes the body's name and expires_at; null counts as absent; the default grace is 86400 s", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const now = Date.UTC(2030, 0, 1, 12, 0, 0);
    vi.setSystemTime(now);
    const { accountId, id } = await newAccountWithKey("pro", { name: "old name" });
    const a = await roll(accountId, id, { name: "new name", expires_at: "2030-06-01T00:00:00+02:00" });
    expect([a.status, a.rolled.name, a.rolled.expires_at, a.rolled.old_key.expires_at]).toEqual([
      201,
      "new name",
      "2030-05-31T22:00:00.000Z",
      "2030-01-02T12:00:00.000Z",
    ]);
    // null counts as absent: the old key's lifetime from now (the clock stands still: the same time).
    const b = await roll(accountId, a.rolled.id, { name: null, expires_at: null });
    expect([b.rolled.name, b.rolled.expires_at]).toEqual(["new name", "2030-05-31T22:00:00.000Z"]);
    const c = await roll(accountId, b.rolled.id, "");
    expect(c.status).toBe(201);
  });

  it("never extends a key: the old expiry stays when it comes before now + grace", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2030, 0, 1, 12, 0, 0));
    const { accountId, id } = await newAccountWithKey("pro", { expires_at: "2030-01-01T12:30:00Z" });
    const { rolled } = await roll(accountId, id, { grace_seconds: 604_800 });
    expect(rolled.old_key.expires_at).toBe("2030-01-01T12:30:00.000Z");
  });

  it("with grace 0 the old key is refused with 401 expired_key at once, and the new one works", async () => {
    const { accountId, id, key } = await newAccountWithKey("pro");
    const t = tag();
    expect((await withKey(key, `/v1/competitors?t=${t}&before`)).status).toBe(200);
    const { status, rolled } = await roll(accountId, id, { grace_seconds: 0 });
    expect(status).toBe(201);
    const refused = await withKey(key, `/v1/competitors?t=${t}&old`);
    expect(refused.status).toBe(401);
    expect((await problemOf(refused)).code).toBe("expired_key");
    expect((await withKey(rolled.key, `/v1/competitors?t=${t}&new`)).status).toBe(200);
    expect((await received(t)).map((r) => r.query)).toEqual([`?t=${t}&before`, `?t=${t}&new`]);
  });

  it("refuses a revoked or expired key with 409 key_inactive, an unknown or foreign key with 404, a bad grace with 400", async () => {
    const { accountId, id } = await newAccountWithKey("pro");
    const revoked = await newKey(accountId);
    await admin("DELETE", `/accounts/${accountId}/keys/${revoked.id}`);
    const expiring = await newKey(accountId, { expires_at: new Date(Date.now() + 300).toISOString() });
    await new Promise((r) => setTimeout(r, 400));
    for (const keyId of [revoked.id, expiring.id]) {
      const res = await admin("POST", `/accounts/${accountId}/keys/${keyId}/roll`, {});
      expect(res.status).toBe(409);
      expect((await problemOf(res)).code).toBe("key_inactive");
    }
    const other = await newAccountWithKey("pro");
    for (const keyId of ["key_nope", other.id]) {
      const res = await admin("POST", `/accounts/${accountId}/keys/${keyId}/roll`, {});
      expect(res.status).toBe(404);
      expect((await problemOf(res)).code).toBe("unknown_key");
    }
    for (const grace_seconds of [-1, 604_801, 1.5, "60", null, true]) {
      const res = await admin("POST", `/accounts/${accountId}/keys/${id}/roll`, { grace_seconds });
      expect(res.status, JSON.stringify(grace_seconds)).toBe(400);
      expect((await problemOf(res)).code).toBe("invalid_request");
    }
    // Nothing was rolled by the refused calls.
    const list = await keyList(accountId);
    expect(Object.values(list).filter((k) => k.rolled_from !== null)).toEqual([]);
  });
});

describe("a key is rolled once", () => {
  it("rolling a rolled key answers 409 key_rolled, in its grace period, expired or revoked", async () => {
    const { accountId, id } = await newAccountWithKey("pro");
    const first = await roll(accountId, id, { grace_seconds: 3600 });
    expect(first.status).toBe(201);
    const again = await admin("POST", `/accounts/${accountId}/keys/${id}/roll`, {});
    expect(again.status).toBe(409);
    expect((await problemOf(again)).code).toBe("key_rolled");
    // Rolled with grace 0 (expired at once), then revoked: still key_rolled, which comes before key_inactive.
    const second = await roll(accountId, first.rolled.id, { grace_seconds: 0 });
    expect(second.status).toBe(201);
    await admin("DELETE", `/accounts/${accountId}/keys/${first.rolled.id}`);
    const res = await admin("POST", `/accounts/${accountId}/keys/${first.rolled.id}/roll`, {});
    expect([res.status, (await problemOf(res)).code]).toEqual([409, "key_rolled"]);
    // A bad body is judged first, an unknown key before key_rolled.
    const bad = await admin("POST", `/accounts/${accountId}/keys/${id}/roll`, { grace_seconds: -1 });
    expect([bad.status, (await problemOf(bad)).code]).toEqual([400, "invalid_request"]);
    const list = await keyList(accountId);
    expect(Object.values(list).filter((k) => k.rolled_from === id).length).toBe(1);
  });

  it("of five rolls of one key at the same time, exactly one answers 201 and the others 409 key_rolled", async () => {
    const { accountId, id } = await newAccountWithKey("pro");
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => admin("POST", `/accounts/${accountId}/keys/${id}/roll`, {})),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409]);
    for (const res of answers.filter((r) => r.status === 409)) expect((await problemOf(res)).code).toBe("key_rolled");
    const created = answers.find((r) => r.status === 201) as Response;
    const rolled = (await created.json()) as Rolled;
    await registerCreatedKey(rolled.key);
    const list = await keyList(accountId);
    expect(
      Object.values(list)
        .filter((k) => k.rolled_from === id)
        .map((k) => k.id),
    ).toEqual([rolled.id]);
    expect(list[id]?.rolled_to).toBe(rolled.id);
  });
});

describe("a roll keeps a policy of expiring keys", () => {
  it("without expires_at, the new key gets the old key's lifetime from now; with one, the body's; without an old expiry, none", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const created = Date.UTC(2030, 0, 1, 0, 0, 0);
    vi.setSystemTime(created);
    const { accountId, id } = await newAccountWithKey("pro", { expires_at: "2030-03-02T00:00:00Z" }); // 60 days
    const rolledAt = Date.UTC(2030, 0, 11, 6, 30, 0);
    vi.setSystemTime(rolledAt);
    const a = await roll(accountId, id, {});
    expect([a.status, a.rolled.expires_at]).toEqual([201, "2030-03-12T06:30:00.000Z"]);
    const b = await roll(accountId, a.rolled.id, { expires_at: "2030-02-01T00:00:00Z" });
    expect(b.rolled.expires_at).toBe("2030-02-01T00:00:00.000Z");
    const forever = await newKey(accountId);
    const c = await roll(accountId, forever.id, { expires_at: null });
    expect(c.rolled.expires_at).toBe(null);
  });
});

describe("IP allowlists (docs/lifecycle.md, row 5a)", () => {
  function from(ip: string | null): HeadersInit {
    return ip === null ? {} : { "CF-Connecting-IP": ip };
  }

  it("stores the list normalized and shows it on creation, in the key list and in /v1/api-keys/current", async () => {
    const accountId = await newAccount("pro");
    const created = await newKey(accountId, {
      allowed_ips: ["203.0.113.7", "198.51.100.77/24", "2001:DB8:0:0::/32", "::ffff:192.0.2.1", "::ffff:192.0.2.0/120"],
    });
    const expected = ["203.0.113.7/32", "198.51.100.0/24", "2001:db8::/32", "192.0.2.1/32", "192.0.2.0/24"];
    expect((created as unknown as { allowed_ips: string[] }).allowed_ips).toEqual(expected);
    expect((await keyList(accountId))[created.id]?.allowed_ips).toEqual(expected);
    const current = await withKey(created.key, "/v1/api-keys/current", { headers: from("203.0.113.7") });
    expect(((await current.json()) as { allowed_ips: string[] }).allowed_ips).toEqual(expected);
    const plain = await newKey(accountId);
    expect((await keyList(accountId))[plain.id]?.allowed_ips).toBeNull();
  });

  it("answers 403 ip_not_allowed from outside every block, forwards from inside, and counts the refusal nowhere", async () => {
    const { key } = await newAccountWithKey(
      "pro",
      { allowed_ips: ["198.51.100.0/24", "2001:db8::/32"] },
      { per_minute: 3, per_day: null },
    );
    await inOneMinute();
    const t = tag();
    for (const ip of ["198.51.100.1", "::ffff:198.51.100.254", "2001:db8:ffff::1"]) {
      expect((await withKey(key, `/v1/competitors?t=${t}`, { headers: from(ip) })).status, ip).toBe(200);
    }
    for (const ip of ["198.51.101.1", "203.0.113.7", "2001:db9::1", "::ffff:198.51.101.1", "garbage", "", null]) {
      const res = await withKey(key, `/v1/competitors?t=${t}&out`, { headers: from(ip) });
      expect(res.status, String(ip)).toBe(403);
      expect((await problemOf(res)).code).toBe("ip_not_allowed");
    }
    // The refusals took nothing of the minute's 3: one more is admitted, then 429.
    expect((await withKey(key, `/v1/competitors?t=${t}`, { headers: from("198.51.100.9") })).status).toBe(429);
    expect((await received(t)).length).toBe(3);
  }, 20_000); // inOneMinute may wait up to 10 s

  it("comes after the key's own checks (row 5) and before route, plan and scope (rows 6–9)", async () => {
    const { key, accountId } = await newAccountWithKey("starter", {
      allowed_ips: ["10.0.0.0/8"],
      scopes: ["usage:read"],
    });
    for (const path of ["/v1/nowhere", "/v1/export", "/v1/competitors", "/v1/api-keys"]) {
      const res = await withKey(key, path, { headers: from("192.0.2.1") });
      expect((await problemOf(res)).code, path).toBe("ip_not_allowed");
    }
    const expiring = await newKey(accountId, {
      allowed_ips: ["10.0.0.0/8"],
      expires_at: new Date(Date.now() + 300).toISOString(),
    });
    await new Promise((r) => setTimeout(r, 400));
    const res = await withKey(expiring.key, "/v1/competitors", { headers: from("192.0.2.1") });
    expect((await problemOf(res)).code).toBe("expired_key");
  });

  it("refuses bad lists with 400 invalid_request", async () => {
    const accountId = await newAccount("pro");
    const many = Array.from({ length: 51 }, (_, i) => `10.0.0.${i}`);
    for (const allowed_ips of [
      [],
      many,
      ["10.0.0.0/33"],
      ["10.0.0"],
      [42],
      "10.0.0.0/8",
      ["fe80::1%eth0"],
      [" 10.0.0.1"],
    ]) {
      const res = await admin("POST", `/accounts/${accountId}/keys`, { allowed_ips });
      expect(res.status, JSON.stringify(allowed_ips).slice(0, 40)).toBe(400);
      expect((await problemOf(res)).code).toBe("invalid_request");
    }
    const fifty = await admin("POST", `/accounts/${accountId}/keys`, { allowed_ips: many.slice(0, 50) });
    expect(fifty.status).toBe(201);
    await registerCreatedKey(((await fifty.json()) as { key: string }).key);
  });
});

describe("revocation reasons (docs/lifecycle.md)", () => {
  it("null while active, revoked after DELETE; revoking again keeps the first reason and time", async () => {
    const { accountId, id } = await newAccountWithKey("pro");
    expect([(await keyList(accountId))[id]?.revoked_reason, (await keyList(accountId))[id]?.leak]).toEqual([
      null,
      null,
    ]);
    const first = (await (await admin("DELETE", `/accounts/${accountId}/keys/${id}`)).json()) as { revoked_at: string };
    await admin("DELETE", `/accounts/${accountId}/keys/${id}`);
    const listed = (await keyList(accountId))[id];
    expect([listed?.revoked_reason, listed?.revoked_at, listed?.leak]).toEqual(["revoked", first.revoked_at, null]);
  });
});

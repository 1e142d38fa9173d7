/**
 * Gaps that seeded bugs slipped through (each pins a documented rule). Each test
 * pins one rule by itself, with expected values written from docs/.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearIsolateMemory } from "../../src/admission/isolate-memory";
import type { KeyAuthority } from "../../src/authority/key-authority";
import { sha256Hex } from "../../src/keys/hash";
import {
  ADMIN_TOKEN,
  admin,
  EDGE,
  edge,
  newAccountWithKey,
  newKey,
  problemOf,
  received,
  registerCreatedKey,
  tag,
  UNMETERED,
  withKey,
} from "./helpers";
import { callWith, countedBindings } from "./support-calls";

const LEASE_MS = 150;

afterEach(() => {
  vi.useRealTimers();
});

describe("the admin token is compared whole", () => {
  it("refuses its first character, all but its last character, and the token with extra characters", async () => {
    for (const token of [
      ADMIN_TOKEN.slice(0, 1),
      ADMIN_TOKEN.slice(0, -1),
      `${ADMIN_TOKEN}x`,
      `${ADMIN_TOKEN}${ADMIN_TOKEN}`,
    ]) {
      const res = await edge("/_admin/accounts/acme", { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe("admin_unauthorized");
    }
    const res = await edge("/_admin/accounts/acme", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(404);
  });
});

describe("a key that appears in the path only after percent-decoding", () => {
  it("is refused with 400 key_in_url and never reaches the origin", async () => {
    const { key } = await newAccountWithKey();
    const t = tag();
    const fullyEncoded = [...key].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("");
    for (const segment of [
      `%6E${key.slice(1)}`,
      `${key.slice(0, 30)}%${key.charCodeAt(30).toString(16)}${key.slice(31)}`,
      fullyEncoded,
    ]) {
      const res = await withKey(key, `/v1/competitors/${segment}?t=${t}`);
      expect(res.status, segment).toBe(400);
      expect((await problemOf(res)).code).toBe("key_in_url");
    }
    expect(await received(t)).toEqual([]);
  });
});

describe("credentials the origin never receives, by name", () => {
  it("drops Authorization and Proxy-Authorization whose values do not look like keys", async () => {
    const { key } = await newAccountWithKey();
    const t = tag();
    const res = await withKey(key, `/v1/competitors?t=${t}`, {
      headers: { Authorization: "Bearer session-abc", "Proxy-Authorization": "Basic dXNlcjpwYXNz", "X-Kept": "yes" },
    });
    expect(res.status).toBe(200);
    const [got] = await received(t);
    expect(got?.headers.authorization).toBeUndefined();
    expect(got?.headers["proxy-authorization"]).toBeUndefined();
    expect(got?.headers["x-kept"]).toBe("yes");
  });
});

describe("the order of rows 8 and 9", () => {
  it("a starter account, a key without export, GET /v1/export: 403 plan_required, not insufficient_scope", async () => {
    const { key } = await newAccountWithKey("starter", { scopes: ["competitors:read"] });
    const t = tag();
    const res = await withKey(key, `/v1/export?t=${t}`);
    expect(res.status).toBe(403);
    const problem = await problemOf(res);
    expect(problem.code).toBe("plan_required");
    expect(problem.required_scope).toBe("export");
    expect(problem.plan).toBe("starter");
    expect(await received(t)).toEqual([]);
  });
});

describe("the authority grants no lease for a key that cannot be used", () => {
  it("leaseMs is 0 for a revoked and for an expired key, and the lease length for an active one", async () => {
    const expiresAt = Date.now() + 60_000;
    const { accountId, key: activeKey, id: activeId } = await newAccountWithKey();
    const revoked = await newKey(accountId);
    const expiring = await newKey(accountId, { expires_at: new Date(expiresAt).toISOString() });
    await admin("DELETE", `/accounts/${accountId}/keys/${revoked.id}`);
    const [activeHash, revokedHash, expiringHash] = await Promise.all(
      [activeKey, revoked.key, expiring.key].map((k) => sha256Hex(k)),
    );
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(expiresAt);
    const checks = await runInDurableObject(env.KEY_AUTHORITY.getByName(accountId), (i: KeyAuthority) =>
      i.checkKeys(
        [
          { keyId: activeId, hash: activeHash, used: false, wants: 1, returning: null },
          { keyId: revoked.id, hash: revokedHash, used: false, wants: 1, returning: null },
          { keyId: expiring.id, hash: expiringHash, used: false, wants: 1, returning: null },
        ],
        LEASE_MS,
      ),
    );
    expect(checks?.map((c) => [c.key?.id, c.leaseMs])).toEqual([
      [activeId, LEASE_MS],
      [revoked.id, 0],
      [expiring.id, 0],
    ]);
  });
});

describe("one rule at a time in the X-NearIQ-Key header", () => {
  it("two valid keys in one header: 401 invalid_key, detail says to send exactly one", async () => {
    const { key } = await newAccountWithKey();
    const other = await newAccountWithKey();
    for (const value of [`${key}, ${other.key}`, `${key},${key}`]) {
      const res = await withKey(value, "/v1/competitors");
      const problem = await problemOf(res);
      expect([res.status, problem.code, problem.detail]).toEqual([
        401,
        "invalid_key",
        "The X-NearIQ-Key header holds several keys; send exactly one.",
      ]);
    }
  });

  it("a valid key padded past 512 bytes: 401 invalid_key, detail names the limit; exactly 512 bytes is judged by form", async () => {
    const { key } = await newAccountWithKey();

    const over = `${key}${"0".repeat(513 - key.length)}`;
    expect(new TextEncoder().encode(over).length).toBe(513);
    let problem = await problemOf(await withKey(over, "/v1/competitors"));
    expect([problem.status, problem.code, problem.detail]).toEqual([
      401,
      "invalid_key",
      "The X-NearIQ-Key header is longer than 512 bytes.",
    ]);
    const exact = `${key}${"0".repeat(512 - key.length)}`;
    problem = await problemOf(await withKey(exact, "/v1/competitors"));
    expect([problem.status, problem.code]).toEqual([401, "invalid_key"]);
    expect(problem.detail).toMatch(/wrong length/);
  });
});

describe("boundaries to the millisecond, on a controlled clock", () => {
  function get(key: string, counted = countedBindings()) {
    return callWith(new Request(`${EDGE}/v1/api-keys/current`, { headers: { "X-NearIQ-Key": key } }), counted.bindings);
  }

  it("a key is usable 1 ms before expires_at and refused with expired_key at expires_at", async () => {
    const expiresAt = Date.now() + 60_000;
    const { key } = await newAccountWithKey("pro", { expires_at: new Date(expiresAt).toISOString() });
    clearIsolateMemory();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(expiresAt - 1);
    expect((await get(key)).status).toBe(200);
    vi.setSystemTime(expiresAt);
    const res = await get(key);
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe("expired_key");
  });

  it("a lease is used until 1 ms before it runs out, and renewed at the millisecond it runs out", async () => {
    // Unmetered: with limits, the allotment (good for the lease) would bring its own call.
    const { key } = await newAccountWithKey("agency", {}, UNMETERED);
    clearIsolateMemory();
    const counted = countedBindings();
    vi.useFakeTimers({ toFake: ["Date"] });
    const sentAt = Date.now();
    vi.setSystemTime(sentAt);
    expect((await get(key, counted)).status).toBe(200);
    expect(counted.authorityCalls).toBe(1);
    vi.setSystemTime(sentAt + LEASE_MS - 1);
    expect((await get(key, counted)).status).toBe(200);
    expect(counted.authorityCalls).toBe(1);
    vi.setSystemTime(sentAt + LEASE_MS);
    expect((await get(key, counted)).status).toBe(200);
    expect(counted.authorityCalls).toBe(2);
  });
});

describe("expires_at must be in the future, to the millisecond", () => {
  it("refuses now and a second ago with 400 invalid_request, and accepts 1 ms from now", async () => {
    const { accountId } = await newAccountWithKey();
    vi.useFakeTimers({ toFake: ["Date"] });
    const now = Date.now();
    vi.setSystemTime(now);
    for (const at of [now - 1_000, now]) {
      const res = await admin("POST", `/accounts/${accountId}/keys`, { expires_at: new Date(at).toISOString() });
      expect(res.status).toBe(400);
      expect((await problemOf(res)).code).toBe("invalid_request");
    }
    const res = await admin("POST", `/accounts/${accountId}/keys`, { expires_at: new Date(now + 1).toISOString() });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { key: string; expires_at: string };
    expect(created.expires_at).toBe(new Date(now + 1).toISOString());
    await registerCreatedKey(created.key);
  });
});

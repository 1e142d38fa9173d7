/**
 * The event log (docs/events.md): every change recorded once, in the same transaction, with its
 * actor; expiry notices from the authority's alarm; the events API's pages and errors; and never a
 * key, a hash of one, or a token in an event.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { KeyAuthority } from "../../src/authority/key-authority";
import { sha256Hex } from "../../src/keys/hash";
import { ADMIN_TOKEN, admin, newAccount, newKey, problemOf, sleep, tag, withKey } from "./helpers";

afterEach(() => {
  vi.useRealTimers();
});

interface Event {
  id: string;
  type: string;
  account_id: string;
  created_at: string;
  actor: string | null;
  data: Record<string, unknown>;
}

async function events(accountId: string, query = ""): Promise<{ events: Event[]; next: string | null }> {
  const res = await admin("GET", `/accounts/${accountId}/events${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { events: Event[]; next: string | null };
}

const types = async (accountId: string) => (await events(accountId)).events.map((e) => e.type);
const as = (actor: string) => ({ "X-NearIQ-Actor": actor });

describe("what is recorded", () => {
  it("account.created on the first PUT, account.updated only when the plan or limits in force change", async () => {
    const accountId = `acct_${tag()}`;
    await admin("PUT", `/accounts/${accountId}`, { plan: "pro" }, as("ana@example.com"));
    await admin("PUT", `/accounts/${accountId}`, { plan: "pro" }); // nothing changes
    await admin("PUT", `/accounts/${accountId}`, { plan: "pro", limits: { per_minute: 600 } }); // the default: nothing
    await admin("PUT", `/accounts/${accountId}`, { plan: "agency" }, as("bo@example.com"));
    const { events: list } = await events(accountId);
    expect(list.map((e) => [e.type, e.actor, e.data])).toEqual([
      ["account.created", "ana@example.com", { plan: "pro", limits: { per_minute: 600, per_day: 100_000 } }],
      [
        "account.updated",
        "bo@example.com",
        {
          plan: "agency",
          limits: { per_minute: 3_000, per_day: 1_000_000 },
          previous: { plan: "pro", limits: { per_minute: 600, per_day: 100_000 } },
        },
      ],
    ]);
    for (const e of list) {
      expect(e.id).toMatch(/^evt_[0-9A-Z]{26}$/);
      expect(e.account_id).toBe(accountId);
      expect(e.created_at).toMatch(/Z$/);
    }
    expect(list[0]?.id < (list[1]?.id ?? "")).toBe(true);
  });

  it("key.created is the key-list entry right after creation; key.revoked once, with its reason; actor null without the header", async () => {
    const accountId = await newAccount("pro");
    const created = await newKey(accountId, { name: "zapier" });
    const list = (await (await admin("GET", `/accounts/${accountId}/keys`)).json()) as { keys: unknown[] };
    await admin("DELETE", `/accounts/${accountId}/keys/${created.id}`, undefined, as("ops@example.com"));
    await admin("DELETE", `/accounts/${accountId}/keys/${created.id}`); // again: nothing
    const { events: all } = await events(accountId);
    const keyEvents = all.filter((e) => e.type.startsWith("key."));
    expect(keyEvents.map((e) => [e.type, e.actor])).toEqual([
      ["key.created", null],
      ["key.revoked", "ops@example.com"],
    ]);
    expect(keyEvents[0]?.data).toEqual(list.keys[0]);
    expect(keyEvents[1]?.data).toEqual({ key_id: created.id, reason: "revoked", leak: null });
  });

  it("a roll records key.created, then key.rolled, then key.expiring for the old key within 7 days", async () => {
    const accountId = await newAccount("pro");
    const old = await newKey(accountId);
    const res = await admin("POST", `/accounts/${accountId}/keys/${old.id}/roll`, { grace_seconds: 3600 }, as("ci"));
    const rolled = (await res.json()) as { id: string; key: string; old_key: { expires_at: string } };
    const { registerCreatedKey } = await import("./helpers");
    await registerCreatedKey(rolled.key);
    const after = (await events(accountId)).events.filter((e) => e.type !== "account.created").slice(1);
    expect(after.map((e) => [e.type, e.actor])).toEqual([
      ["key.created", "ci"],
      ["key.rolled", "ci"],
      ["key.expiring", "edge"],
    ]);
    expect(after[1]?.data).toEqual({ key_id: old.id, new_key_id: rolled.id, expires_at: rolled.old_key.expires_at });
    expect(after[2]?.data).toEqual({ key_id: old.id, expires_at: rolled.old_key.expires_at });
  });

  it("an expiry at or before the change that sets it: key.expired within 10 s, never key.expiring", async () => {
    const accountId = await newAccount("pro");
    const old = await newKey(accountId);
    await admin("POST", `/accounts/${accountId}/keys/${old.id}/roll`, { grace_seconds: 0 });
    const list = (await events(accountId)).events.filter((e) => e.data.key_id === old.id).map((e) => e.type);
    expect(list).toEqual(["key.rolled", "key.expired"]);
    // Both notices are settled in storage (docs/storage-schema.md#api_keys), so the alarm's scan passes the key by.
    const flags = await runInDurableObject(env.KEY_AUTHORITY.getByName(accountId), (_: KeyAuthority, state) =>
      state.storage.sql.exec("SELECT expiring_recorded, expired_recorded FROM api_keys WHERE id = ?", old.id).toArray(),
    );
    expect(flags).toEqual([{ expiring_recorded: 1, expired_recorded: 1 }]);
  });

  it("key.expiring at once for a key created to expire within 7 days; key.expired by the alarm at its expiry", async () => {
    const accountId = await newAccount("pro");
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const key = await newKey(accountId, { expires_at: expiresAt });
    expect((await events(accountId, "?type=key.expiring")).events.map((e) => e.data)).toEqual([
      { key_id: key.id, expires_at: expiresAt },
    ]);
    await sleep(1_600);
    await runDurableObjectAlarm(env.KEY_AUTHORITY.getByName(accountId));
    expect((await events(accountId, "?type=key.expired")).events.map((e) => [e.actor, e.data])).toEqual([
      ["edge", { key_id: key.id, expires_at: expiresAt }],
    ]);
    await runDurableObjectAlarm(env.KEY_AUTHORITY.getByName(accountId));
    expect((await events(accountId, "?type=key.expired")).events.length).toBe(1);
  });

  it("key.expiring at the 7-day mark, recorded by the alarm; once per key", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.UTC(2031, 0, 1, 0, 0, 0);
    vi.setSystemTime(start);
    const accountId = await newAccount("pro");
    const key = await newKey(accountId, { expires_at: "2031-01-20T00:00:00Z" });
    expect(await types(accountId)).toEqual(["account.created", "key.created"]);
    const stub = env.KEY_AUTHORITY.getByName(accountId);
    vi.setSystemTime(Date.UTC(2031, 0, 12, 23, 59, 59));
    await runDurableObjectAlarm(stub);
    expect(await types(accountId)).toEqual(["account.created", "key.created"]);
    vi.setSystemTime(Date.UTC(2031, 0, 13, 0, 0, 5));
    await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(stub);
    const expiring = (await events(accountId, "?type=key.expiring")).events;
    expect(expiring.map((e) => [e.actor, e.data])).toEqual([
      ["edge", { key_id: key.id, expires_at: "2031-01-20T00:00:00.000Z" }],
    ]);
  });

  it("a key expiring in 9999: the alarm is set at most 30 days ahead (alarms take no date after 2189)", async () => {
    const accountId = await newAccount("pro");
    await newKey(accountId, { expires_at: "9999-12-31T23:59:59Z" });
    await sleep(100); // the change's background work sets the alarm
    const alarm = await runInDurableObject(env.KEY_AUTHORITY.getByName(accountId), (_: KeyAuthority, state) =>
      state.storage.getAlarm(),
    );
    expect(alarm).not.toBeNull();
    expect(alarm as number).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000 + 1_000);
  });

  it("quota.exhausted once per UTC day, on the first refusal for the full day window", async () => {
    const accountId = await newAccount("pro", { per_minute: null, per_day: 2 });
    const { key } = await newKey(accountId);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await withKey(key, "/v1/competitors")).status);
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    await admin("PUT", `/accounts/${accountId}`, { plan: "pro", limits: { per_minute: null, per_day: 3 } });
    for (let i = 0; i < 3; i++) await withKey(key, "/v1/competitors");
    const exhausted = (await events(accountId, "?type=quota.exhausted")).events;
    const midnight = new Date(Date.now() - (Date.now() % 86_400_000) + 86_400_000).toISOString();
    expect(exhausted.map((e) => [e.actor, e.data])).toEqual([
      ["edge", { window: "day", limit: 2, resets_at: midnight }],
    ]);
  });

  it("no event ever holds a key, a hash of one, or the admin token", async () => {
    const accountId = await newAccount("pro");
    const a = await newKey(accountId, { expires_at: new Date(Date.now() + 86_400_000).toISOString() });
    await admin("POST", `/accounts/${accountId}/keys/${a.id}/roll`, {});
    await admin("DELETE", `/accounts/${accountId}/keys/${a.id}`);
    const text = JSON.stringify((await events(accountId)).events);
    expect(text).not.toContain(a.key);
    expect(text).not.toContain(await sha256Hex(a.key));
    expect(text).not.toContain(ADMIN_TOKEN);
    expect(text).not.toContain("niq_live_" + a.key.slice(9, 20));
  });
});

describe("X-NearIQ-Actor", () => {
  it("1–200 printable ASCII characters; anything else 400 invalid_request, checked before the account id; reads ignore it", async () => {
    const accountId = await newAccount("pro");
    // (Bytes above U+007E are refused too; fetch in workerd re-encodes them with a warning, so they are left out here.)
    for (const actor of ["", "x".repeat(201), "tab\there"]) {
      for (const [method, path, body] of [
        ["PUT", `/accounts/${accountId}`, { plan: "pro" }],
        ["PUT", "/accounts/bad%20id", { plan: "pro" }],
        ["POST", `/accounts/${accountId}/keys`, {}],
        ["DELETE", `/accounts/${accountId}/keys/key_nope`, undefined],
        ["POST", `/accounts/${accountId}/keys/key_nope/roll`, {}],
        ["DELETE", `/accounts/${accountId}`, undefined],
      ] as const) {
        const res = await admin(method, path, body, { "X-NearIQ-Actor": actor });
        expect([res.status, (await problemOf(res)).code], `${method} ${path} ${JSON.stringify(actor)}`).toEqual([
          400,
          "invalid_request",
        ]);
      }
    }
    expect((await admin("GET", `/accounts/${accountId}/events`, undefined, { "X-NearIQ-Actor": "" })).status).toBe(200);
    expect((await admin("GET", `/accounts/${accountId}`, undefined, { "X-NearIQ-Actor": "tab\there" })).status).toBe(
      200,
    );
    const ok = await admin("POST", `/accounts/${accountId}/keys`, {}, { "X-NearIQ-Actor": "x".repeat(200) });
    expect(ok.status).toBe(201);
    const { registerCreatedKey } = await import("./helpers");
    await registerCreatedKey(((await ok.json()) as { key: string }).key);
  });
});

describe("the events API", () => {
  it("walked in pages of 2 equals one page; next is null when a page is shorter than limit; after and type filter", async () => {
    const accountId = await newAccount("pro");
    for (let i = 0; i < 4; i++) await newKey(accountId);
    const whole = (await events(accountId)).events;
    expect(whole.length).toBe(5);
    expect((await events(accountId)).next).toBe(null);
    const walked: Event[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page = await events(accountId, `?limit=2${after ? `&after=${after}` : ""}`);
      walked.push(...page.events);
      if (page.next === null) break;
      expect(page.next).toBe(page.events[page.events.length - 1]?.id);
      after = page.next;
    }
    expect(walked).toEqual(whole);
    const keysOnly = await events(accountId, "?type=key.created&limit=4");
    expect(keysOnly.events.length).toBe(4);
    expect(keysOnly.next).toBe(keysOnly.events[3]?.id);
    expect((await events(accountId, `?after=${whole[4]?.id}`)).events).toEqual([]);
    expect((await events(accountId, "?after=evt_00000000000000000000000000")).events).toEqual(whole);
  });

  it("bad parameters: 400 invalid_request; an account never PUT: 404 unknown_account", async () => {
    const accountId = await newAccount("pro");
    for (const query of [
      "?limit=0",
      "?limit=101",
      "?limit=1.5",
      "?limit=%2B5",
      "?limit=",
      "?type=key.exploded",
      "?after=abc",
      "?after=",
    ]) {
      const res = await admin("GET", `/accounts/${accountId}/events${query}`);
      expect([res.status, (await problemOf(res)).code], query).toEqual([400, "invalid_request"]);
    }
    const res = await admin("GET", "/accounts/never-put-events/events");
    expect([res.status, (await problemOf(res)).code]).toEqual([404, "unknown_account"]);
  });
});

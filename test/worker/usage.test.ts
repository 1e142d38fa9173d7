/**
 * Usage (docs/usage.md): exact per-key counts of admitted and refused requests, per UTC hour and
 * day, handed in without an authority call per request, and the usage API's ranges, rounding,
 * defaults and errors. Hand-ins come at most USAGE_HAND_IN_MS (300 ms here) after counting.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateKey } from "../../src/keys/format";
import { admin, inOneMinute, newAccount, newAccountWithKey, newKey, problemOf, sleep, withKey } from "./helpers";
import { callWith, countedBindings } from "./support-calls";

afterEach(() => {
  vi.useRealTimers();
});

interface Tally {
  admitted: number;
  refused: Record<string, number>;
  test: { admitted: number; refused: Record<string, number> };
}
interface UsageAnswer extends Tally {
  account_id: string;
  key_id: string | null;
  granularity: string;
  from: string;
  to: string;
  buckets: ({ start: string } & Tally)[];
  totals: Tally;
  keys: ({ key_id: string } & Tally)[] | null;
}

async function usage(accountId: string, query = ""): Promise<{ status: number; body: UsageAnswer }> {
  const res = await admin("GET", `/accounts/${accountId}/usage${query}`);
  return { status: res.status, body: (await res.json()) as UsageAnswer };
}

/** Waits until the usage's totals say `admitted` (and `refused`), at most 3 s: hand-ins come within 300 ms. */
async function settled(accountId: string, query: string, admitted: number): Promise<UsageAnswer> {
  const until = Date.now() + 3_000;
  let last: UsageAnswer | null = null;
  while (Date.now() < until) {
    last = (await usage(accountId, query)).body;
    if (last.totals.admitted >= admitted) {
      await sleep(400); // anything that would come twice comes now
      return (await usage(accountId, query)).body;
    }
    await sleep(100);
  }
  return last as UsageAnswer;
}

const none = { admitted: 0, refused: {} };

describe("counting", () => {
  it("a burst of 40 concurrent requests with leases, on an account without limits: exactly 40, once", async () => {
    const { key, accountId, id } = await newAccountWithKey("pro", {}, { per_minute: null, per_day: null });
    const answers = await Promise.all(Array.from({ length: 40 }, () => withKey(key, "/v1/competitors")));
    expect(answers.map((r) => r.status)).toEqual(Array(40).fill(200));
    const body = await settled(accountId, "", 40);
    expect(body.totals).toEqual({ admitted: 40, refused: {}, test: none });
    expect(body.keys).toEqual([{ key_id: id, admitted: 40, refused: {}, test: none }]);
  });

  it("at AUTH_LEASE_MS=0, every request asks the authority and brings the counts: exact too", async () => {
    const { key, accountId, id } = await newAccountWithKey("pro", {}, { per_minute: 5, per_day: null });
    await inOneMinute();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await callWith(new Request(`http://edge.test/v1/competitors`, { headers: { "X-NearIQ-Key": key } }), {
        AUTH_LEASE_MS: "0",
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const body = await settled(accountId, `?key_id=${id}`, 5);
    expect(body.totals).toEqual({ admitted: 5, refused: { rate_limited: 3 }, test: none });
  }, 20_000); // inOneMinute may wait up to 10 s

  it("refusals at rows 4–9a are counted by code; rows 1–3 are not counted anywhere", async () => {
    const accountId = await newAccount("starter", { per_minute: null, per_day: null });
    const reader = await newKey(accountId, { scopes: ["usage:read"] });
    const exporter = await newKey(accountId, { scopes: ["export"] });
    const pinned = await newKey(accountId, { allowed_ips: ["192.0.2.1"] });
    const minute = await newKey(accountId, { rate_limit_per_minute: 1 });
    const revoked = await newKey(accountId);
    await admin("DELETE", `/accounts/${accountId}/keys/${revoked.id}`);
    const expiring = await newKey(accountId, { expires_at: new Date(Date.now() + 300).toISOString() });
    await sleep(400);
    await inOneMinute(); // the minute key's second request must fall in its first one's minute
    const calls: [string, string, RequestInit?][] = [
      [reader.key, "/v1/competitors"], // insufficient_scope
      [exporter.key, "/v1/export"], // plan_required (starter has no export)
      [reader.key, "/v1/nowhere"], // unknown_route
      [reader.key, "/v1/api-keys", { method: "POST" }], // key_management_forbidden
      [pinned.key, "/v1/competitors", { headers: { "CF-Connecting-IP": "198.51.100.9" } }], // ip_not_allowed
      [minute.key, "/v1/competitors"], // admitted
      [minute.key, "/v1/competitors"], // rate_limited
      [revoked.key, "/v1/competitors"], // revoked_key
      [expiring.key, "/v1/competitors"], // expired_key
      [generateKey("niq_live_"), "/v1/competitors"], // invalid_key: no key known, not counted
      ["hello", "/v1/competitors"], // invalid_key
      [reader.key, `/v1/competitors?leak=${reader.key}`], // key_in_url: before the key is known
    ];
    for (const [key, path, init] of calls) await withKey(key, path, init);
    const body = await settled(accountId, "", 1);
    expect(body.totals.refused).toEqual({
      insufficient_scope: 1,
      plan_required: 1,
      unknown_route: 1,
      key_management_forbidden: 1,
      ip_not_allowed: 1,
      rate_limited: 1,
      revoked_key: 1,
      expired_key: 1,
    });
    expect(body.totals.admitted).toBe(1);
    const byKey = Object.fromEntries((body.keys ?? []).map((k) => [k.key_id, k]));
    expect(byKey[reader.id]?.refused).toEqual({ insufficient_scope: 1, unknown_route: 1, key_management_forbidden: 1 });
    expect(byKey[minute.id]).toMatchObject({ admitted: 1, refused: { rate_limited: 1 } });
    // Most admitted first, then by key_id.
    expect(body.keys?.[0]?.key_id).toBe(minute.id);
    const rest = (body.keys ?? []).slice(1).map((k) => k.key_id);
    expect(rest).toEqual([...rest].sort());
  }, 20_000); // inOneMinute may wait up to 10 s

  it("refusals of a revoked key hammered cost at most one hand-in per 10 s window, and no KV read", async () => {
    const { key, accountId, id } = await newAccountWithKey("pro");
    await admin("DELETE", `/accounts/${accountId}/keys/${id}`);
    expect((await withKey(key, "/v1/competitors")).status).toBe(401); // the isolate now knows
    await sleep(500); // its own hand-in has gone
    const counted = countedBindings();
    const request = () => new Request("http://edge.test/v1/competitors", { headers: { "X-NearIQ-Key": key } });
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => callWith(request(), { ...counted.bindings, USAGE_HAND_IN_MS: "1500" })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(30).fill(401));
    expect([counted.kvReads, counted.authorityCalls, counted.handIns]).toEqual([0, 0, 1]);
    const body = await settled(accountId, "", 0);
    expect(body.totals.refused).toEqual({ revoked_key: 31 });
  }, 20_000);

  it("a hand-in sent twice counts once", async () => {
    const { accountId, id } = await newAccountWithKey("pro");
    const hour = Date.now() - (Date.now() % 3_600_000);
    const handIn = {
      id: `test-isolate:${crypto.randomUUID()}`,
      counts: [{ keyId: id, hour, mode: "live" as const, outcome: "admitted" as const, count: 7 }],
    };
    const stub = env.KEY_AUTHORITY.getByName(accountId);
    await stub.handInUsage(handIn);
    await stub.handInUsage(handIn);
    expect((await usage(accountId)).body.totals.admitted).toBe(7);
  });
});

describe("the usage API", () => {
  it("hourly by default: 24 buckets ending at the start of the next hour, every bucket present", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2031, 2, 4, 10, 20, 30));
    const accountId = await newAccount("pro");
    const { status, body } = await usage(accountId);
    expect(status).toBe(200);
    expect([body.account_id, body.key_id, body.granularity, body.from, body.to]).toEqual([
      accountId,
      null,
      "hour",
      "2031-03-03T11:00:00.000Z",
      "2031-03-04T11:00:00.000Z",
    ]);
    expect(body.buckets.length).toBe(24);
    expect(body.buckets[0]).toEqual({ start: "2031-03-03T11:00:00.000Z", admitted: 0, refused: {}, test: none });
    expect(body.buckets[23]?.start).toBe("2031-03-04T10:00:00.000Z");
    expect(body.totals).toEqual({ admitted: 0, refused: {}, test: none });
    expect(body.keys).toEqual([]);
  });

  it("daily: 30 days ending at the start of the next UTC day; from and to rounded down", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2031, 2, 4, 10, 20, 30));
    const accountId = await newAccount("pro");
    const daily = (await usage(accountId, "?granularity=day")).body;
    expect([daily.from, daily.to, daily.buckets.length]).toEqual([
      "2031-02-03T00:00:00.000Z",
      "2031-03-05T00:00:00.000Z",
      30,
    ]);
    const rounded = (await usage(accountId, "?from=2031-03-01T10:59:59%2B02:00&to=2031-03-01T13:00:00Z")).body;
    expect([rounded.from, rounded.to, rounded.buckets.length]).toEqual([
      "2031-03-01T08:00:00.000Z",
      "2031-03-01T13:00:00.000Z",
      5,
    ]);
    const onlyFrom = (await usage(accountId, "?from=2031-03-04T08:00:00Z")).body;
    expect([onlyFrom.from, onlyFrom.to]).toEqual(["2031-03-04T08:00:00.000Z", "2031-03-04T11:00:00.000Z"]);
    const future = (await usage(accountId, "?from=2031-03-05T00:00:00Z&to=2031-03-05T02:00:00Z")).body;
    expect(future.buckets.map((b) => b.admitted)).toEqual([0, 0]);
  });

  it("744 hourly and 400 daily buckets are the most; bad parameters answer 400 invalid_request", async () => {
    const accountId = await newAccount("pro");
    expect((await usage(accountId, "?from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z")).status).toBe(200);
    expect((await usage(accountId, "?granularity=day&from=2030-01-01T00:00:00Z&to=2031-02-05T00:00:00Z")).status).toBe(
      200,
    );
    for (const query of [
      "?from=2031-01-01T00:00:00Z&to=2031-02-01T01:00:00Z", // 745 hours
      "?granularity=day&from=2030-01-01T00:00:00Z&to=2031-02-06T00:00:00Z", // 401 days
      "?from=2031-01-01T10:20:00Z&to=2031-01-01T10:40:00Z", // from not before to, once rounded
      "?from=2031-01-02T00:00:00Z&to=2031-01-01T00:00:00Z",
      "?granularity=week",
      "?granularity=Hour",
      "?granularity=",
      "?from=2031-01-01T00:00:00", // no offset
      "?from=2031-02-30T00:00:00Z", // no such day
      "?to=yesterday",
      "?key_id=",
    ]) {
      const res = await admin("GET", `/accounts/${accountId}/usage${query}`);
      expect([res.status, (await problemOf(res)).code], query).toEqual([400, "invalid_request"]);
    }
    // Unknown parameters are ignored.
    expect((await usage(accountId, "?color=blue")).status).toBe(200);
  });

  it("errors in order: invalid_account_id, invalid_request, unknown_account, unknown_key", async () => {
    const code = async (path: string) => {
      const res = await admin("GET", path);
      return [res.status, (await problemOf(res)).code];
    };
    expect(await code("/accounts/bad%20id/usage?granularity=week")).toEqual([400, "invalid_account_id"]);
    expect(await code("/accounts/never-put-usage/usage?granularity=week")).toEqual([400, "invalid_request"]);
    expect(await code("/accounts/never-put-usage/usage?key_id=key_nope")).toEqual([404, "unknown_account"]);
    const { accountId, id } = await newAccountWithKey("pro");
    const other = await newAccountWithKey("pro");
    expect(await code(`/accounts/${accountId}/usage?key_id=${other.id}`)).toEqual([404, "unknown_key"]);
    // A revoked key is still a key of the account.
    await admin("DELETE", `/accounts/${accountId}/keys/${id}`);
    const res = await usage(accountId, `?key_id=${id}`);
    expect([res.status, res.body.key_id, res.body.keys]).toEqual([200, id, null]);
  });

  it("with key_id, every count is that key's alone", async () => {
    const { key, accountId, id } = await newAccountWithKey("pro");
    const other = await newKey(accountId);
    for (let i = 0; i < 3; i++) await withKey(key, "/v1/competitors");
    for (let i = 0; i < 5; i++) await withKey(other.key, "/v1/competitors");
    const all = await settled(accountId, "", 8);
    expect(all.totals.admitted).toBe(8);
    expect(all.keys?.map((k) => [k.key_id, k.admitted])).toEqual([
      [other.id, 5],
      [id, 3],
    ]);
    const one = (await usage(accountId, `?key_id=${id}`)).body;
    expect([one.totals.admitted, one.buckets.reduce((a, b) => a + b.admitted, 0)]).toEqual([3, 3]);
    const daily = (await usage(accountId, `?key_id=${other.id}&granularity=day`)).body;
    expect(daily.totals.admitted).toBe(5);
  });
});

/**
 * Rate limits and quotas (docs/limits.md, row 9a of docs/api.md#the-decision-table). Expected values come from the documentation. The
 * clock is controlled (`vi.useFakeTimers({ toFake: ["Date"] })`, which the edge and the authority
 * share here), so that a test sits inside one window however slow the machine.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearIsolateMemory } from "../../src/admission/isolate-memory";
import {
  admin,
  EDGE,
  freezeInFreshMinute,
  newAccount,
  newAccountWithKey,
  newKey,
  problemOf,
  received,
  tag,
  UNMETERED,
  withKey,
} from "./helpers";
import { callWith, countedBindings } from "./support-calls";

const MINUTE = 60_000;
const LEASE_MS = 150;

afterEach(() => {
  vi.useRealTimers();
});

function secondsToMidnight(at: number): number {
  return Math.ceil((86_400_000 - (at % 86_400_000)) / 1000);
}

async function put(accountId: string, body: unknown) {
  const res = await admin("PUT", `/accounts/${accountId}`, body);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("limits of an account (docs/limits.md)", () => {
  it("PUT and GET answer the limits in force: plan defaults, overrides, null for no limit, defaults restored", async () => {
    const id = `acct_${tag()}`;
    expect(await put(id, { plan: "pro" })).toEqual({
      status: 200,
      body: { account_id: id, plan: "pro", limits: { per_minute: 600, per_day: 100_000 } },
    });
    expect(await put(id, { plan: "pro", limits: { per_minute: 5, per_day: null } })).toEqual({
      status: 200,
      body: { account_id: id, plan: "pro", limits: { per_minute: 5, per_day: null } },
    });
    // A window left out takes the plan's default.
    expect((await put(id, { plan: "starter", limits: { per_day: 7 } })).body.limits).toEqual({
      per_minute: 60,
      per_day: 7,
    });
    expect((await put(id, { plan: "agency", limits: {} })).body.limits).toEqual({
      per_minute: 3_000,
      per_day: 1_000_000,
    });
    await put(id, { plan: "pro", limits: { per_minute: 1_000_000_000, per_day: 1 } });
    expect((await put(id, { plan: "pro", limits: null })).body.limits).toEqual({ per_minute: 600, per_day: 100_000 });
    await put(id, { plan: "pro", limits: { per_minute: 9 } });
    // Leaving limits out of a PUT restores the plan's defaults too.
    expect((await put(id, { plan: "pro" })).body.limits).toEqual({ per_minute: 600, per_day: 100_000 });
    const got = await admin("GET", `/accounts/${id}`);
    expect(await got.json()).toEqual({ account_id: id, plan: "pro", limits: { per_minute: 600, per_day: 100_000 } });
  });

  it("refuses bad limits with 400 invalid_request", async () => {
    const id = await newAccount("pro");
    for (const limits of [
      { per_minute: 0 },
      { per_minute: -1 },
      { per_day: 1_000_000_001 },
      { per_minute: 1.5 },
      { per_minute: "10" },
      { per_day: true },
      { per_day: [] },
      [],
      "x",
      7,
    ]) {
      const res = await admin("PUT", `/accounts/${id}`, { plan: "pro", limits });
      expect(res.status, JSON.stringify(limits)).toBe(400);
      expect((await problemOf(res)).code).toBe("invalid_request");
    }
    expect((await (await admin("GET", `/accounts/${id}`)).json()) as unknown).toEqual({
      account_id: id,
      plan: "pro",
      limits: { per_minute: 600, per_day: 100_000 },
    });
  });
});

describe("a key's own minute limit (docs/limits.md)", () => {
  it("is shown on creation, in the key list and by /v1/api-keys/current; null when none", async () => {
    const accountId = await newAccount("pro");
    const limited = await newKey(accountId, { rate_limit_per_minute: 30 });
    const plain = await newKey(accountId);
    expect([limited.rate_limit_per_minute, plain.rate_limit_per_minute]).toEqual([30, null]);
    const { keys } = (await (await admin("GET", `/accounts/${accountId}/keys`)).json()) as {
      keys: { id: string; rate_limit_per_minute: number | null }[];
    };
    expect(keys.map((k) => [k.id, k.rate_limit_per_minute])).toEqual([
      [limited.id, 30],
      [plain.id, null],
    ]);
    const current = (await (await withKey(limited.key, "/v1/api-keys/current")).json()) as Record<string, unknown>;
    expect([current.rate_limit_per_minute, current.limits]).toEqual([30, { per_minute: 600, per_day: 100_000 }]);
  });

  it("refuses a bad rate_limit_per_minute with 400 invalid_request", async () => {
    const accountId = await newAccount("pro");
    for (const value of [0, -5, 1_000_000_001, 2.5, "5", true, {}]) {
      const res = await admin("POST", `/accounts/${accountId}/keys`, { rate_limit_per_minute: value });
      expect(res.status, JSON.stringify(value)).toBe(400);
      expect((await problemOf(res)).code).toBe("invalid_request");
    }
  });
});

describe("row 9a: admitted exactly up to the limit, then 429 (docs/limits.md)", () => {
  it("a lone client in a fresh window: exactly `limit` forwarded, r down by 1 each, then 429 with its headers", async () => {
    const { key, accountId } = await newAccountWithKey("pro", {}, { per_minute: 12, per_day: 1_000 });
    const at = freezeInFreshMinute(1_000);
    const t = tag();
    for (let i = 1; i <= 12; i++) {
      const res = await withKey(key, `/v1/competitors?t=${t}&i=${i}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-policy")).toBe('"minute";q=12;w=60, "day";q=1000;w=86400');
      expect(res.headers.get("ratelimit")).toBe(
        `"minute";r=${12 - i};t=59, "day";r=${1_000 - i};t=${secondsToMidnight(at)}`,
      );
    }
    const refused = await withKey(key, `/v1/competitors?t=${t}&i=13`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("59");
    expect(refused.headers.get("ratelimit-policy")).toBe('"minute";q=12;w=60, "day";q=1000;w=86400');
    expect(refused.headers.get("ratelimit")).toBe(`"minute";r=0;t=59, "day";r=988;t=${secondsToMidnight(at)}`);
    const problem = await problemOf(refused);
    expect([problem.code, problem.policy, problem.limit, problem.retry_after]).toEqual([
      "rate_limited",
      "minute",
      12,
      59,
    ]);
    expect((await received(t)).length).toBe(12);
    // The next minute opens a fresh window.
    vi.setSystemTime(at - 1_000 + MINUTE);
    const next = await withKey(key, `/v1/competitors?t=${t}&i=14`);
    expect(next.status).toBe(200);
    expect(next.headers.get("ratelimit")).toBe(
      `"minute";r=11;t=60, "day";r=987;t=${secondsToMidnight(at - 1_000 + MINUTE)}`,
    );
    expect(accountId).toMatch(/^acct_/);
  });

  it("refusals count against nothing, and a 429 uses up no quota", async () => {
    const { key, accountId } = await newAccountWithKey("starter", { scopes: ["competitors:read"] }, { per_minute: 3 });
    freezeInFreshMinute();
    const t = tag();
    for (const path of ["/v1/export", "/v1/alerts", "/v1/nowhere", "/v1/api-keys"]) {
      expect((await withKey(key, `${path}?t=${t}`)).status).toBeGreaterThanOrEqual(403);
    }
    expect((await withKey("niq_live_nope", `/v1/competitors?t=${t}`)).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await withKey(key, `/v1/competitors?t=${t}`)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await withKey(key, `/v1/competitors?t=${t}`)).status).toBe(429);
    // Raising the limit by 2 admits exactly 2 more: the five 429s took nothing. The PUT waits out
    // the leases in real time; the frozen clock moves on by as much.
    const started = performance.now();
    expect((await put(accountId, { plan: "starter", limits: { per_minute: 5 } })).status).toBe(200);
    vi.setSystemTime(Date.now() + Math.ceil(performance.now() - started));
    expect((await withKey(key, `/v1/competitors?t=${t}`)).status).toBe(200);
    expect((await withKey(key, `/v1/competitors?t=${t}`)).status).toBe(200);
    expect((await withKey(key, `/v1/competitors?t=${t}`)).status).toBe(429);
    expect((await received(t)).length).toBe(5);
  });

  it("a key's own minute limit: 429 names key-minute while the account has room", async () => {
    const { key, accountId } = await newAccountWithKey(
      "pro",
      { rate_limit_per_minute: 2 },
      { per_minute: 10, per_day: null },
    );
    freezeInFreshMinute(30_000);
    const first = await withKey(key, "/v1/competitors");
    expect(first.headers.get("ratelimit-policy")).toBe('"key-minute";q=2;w=60, "minute";q=10;w=60');
    expect(first.headers.get("ratelimit")).toBe('"key-minute";r=1;t=30, "minute";r=9;t=30');
    expect((await withKey(key, "/v1/competitors")).status).toBe(200);
    const refused = await withKey(key, "/v1/competitors");
    const problem = await problemOf(refused);
    expect([refused.status, problem.policy, problem.limit, problem.retry_after]).toEqual([429, "key-minute", 2, 30]);
    // Another key of the account still has the account's room.
    const other = await newKey(accountId);
    expect((await withKey(other.key, "/v1/competitors")).status).toBe(200);
  });

  it("when several windows are full: the one that resets last; between equals, minute before key-minute", async () => {
    const both = await newAccountWithKey("pro", { rate_limit_per_minute: 2 }, { per_minute: 2, per_day: null });
    const dayToo = await newAccountWithKey("pro", {}, { per_minute: 2, per_day: 2 });
    const at = freezeInFreshMinute();
    for (const key of [both.key, both.key, dayToo.key, dayToo.key]) {
      expect((await withKey(key, "/v1/competitors")).status).toBe(200);
    }
    const a = await problemOf(await withKey(both.key, "/v1/competitors"));
    expect([a.status, a.policy, a.limit]).toEqual([429, "minute", 2]);
    const b = await withKey(dayToo.key, "/v1/competitors");
    const problem = await problemOf(b);
    expect([problem.status, problem.policy, problem.limit, problem.retry_after]).toEqual([
      429,
      "day",
      2,
      secondsToMidnight(at),
    ]);
    expect(b.headers.get("retry-after")).toBe(String(secondsToMidnight(at)));
  });

  it("windows are aligned to UTC: full at :59.999, open again at :00.000; retry_after is at least 1", async () => {
    const { key } = await newAccountWithKey("pro", {}, { per_minute: 1, per_day: null });
    const at = freezeInFreshMinute(59_500);
    expect((await withKey(key, "/v1/competitors")).status).toBe(200);
    vi.setSystemTime(at + 499);
    const refused = await withKey(key, "/v1/competitors");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect((await problemOf(refused)).retry_after).toBe(1);
    vi.setSystemTime(at + 500);
    const open = await withKey(key, "/v1/competitors");
    expect(open.status).toBe(200);
    expect(open.headers.get("ratelimit")).toBe('"minute";r=0;t=60');
  });

  it("answers of the edge count and carry the headers: /v1/api-keys/current, GET and HEAD", async () => {
    const { key } = await newAccountWithKey("pro", {}, { per_minute: 2, per_day: null });
    freezeInFreshMinute();
    const get = await withKey(key, "/v1/api-keys/current");
    expect(get.headers.get("ratelimit")).toBe('"minute";r=1;t=59');
    const head = await withKey(key, "/v1/api-keys/current", { method: "HEAD" });
    expect(head.headers.get("ratelimit")).toBe('"minute";r=0;t=59');
    expect((await withKey(key, "/v1/api-keys/current")).status).toBe(429);
  });

  it("an admitted request counts even when the origin fails, and the 502 carries the headers", async () => {
    const { key } = await newAccountWithKey("pro", {}, { per_minute: 1, per_day: null });
    freezeInFreshMinute();
    const res = await callWith(new Request(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": key } }), {
      ORIGIN_URL: "http://127.0.0.1:9",
    });
    expect(res.status).toBe(502);
    expect(res.headers.get("ratelimit")).toBe('"minute";r=0;t=59');
    expect((await withKey(key, "/v1/competitors")).status).toBe(429);
  });
});

describe("the authority's memory of windows (docs/storage-schema.md)", () => {
  it("keeps the current windows and prunes the ended ones once a later window begins", async () => {
    const { key, accountId } = await newAccountWithKey("pro", {}, { per_minute: 100, per_day: 1_000 });
    const at = freezeInFreshMinute();
    expect((await withKey(key, "/v1/competitors")).status).toBe(200);
    const rows = () =>
      runInDurableObject(env.KEY_AUTHORITY.getByName(accountId), (_: unknown, state) =>
        state.storage.sql
          .exec<{ scope: string; window_start: number }>("SELECT scope, window_start FROM quota_windows ORDER BY scope")
          .toArray()
          .map((r) => [r.scope, r.window_start]),
      );
    const starts = (t: number) => [
      ["account:day", t - (t % 86_400_000)],
      ["account:minute", t - (t % MINUTE)],
    ];
    expect(await rows()).toEqual(starts(at));
    vi.setSystemTime(at + MINUTE);
    clearIsolateMemory();
    expect((await withKey(key, "/v1/competitors")).status).toBe(200);
    expect(await rows()).toEqual(starts(at + MINUTE));
  });
});

describe("the cost of refusals over a limit", () => {
  it("once the authority said a window is full, the isolate refuses without asking again until its lease ends", async () => {
    const { key } = await newAccountWithKey("pro", {}, { per_minute: 2, per_day: null });
    const at = freezeInFreshMinute();
    const counted = countedBindings();
    const get = () =>
      callWith(new Request(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": key } }), counted.bindings);
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    const callsWhenFull = counted.authorityCalls;
    for (let i = 0; i < 10; i++) {
      const res = await get();
      expect(res.status).toBe(429);
      expect((await problemOf(res)).policy).toBe("minute");
    }
    // One call learned that the window is full; the other nine asked nothing.
    expect(counted.authorityCalls - callsWhenFull).toBe(1);
    vi.setSystemTime(at + LEASE_MS);
    expect((await get()).status).toBe(429);
    expect(counted.authorityCalls - callsWhenFull).toBe(2);
    // The next minute opens the window again, lease or not.
    vi.setSystemTime(at - 1_000 + MINUTE);
    expect((await get()).status).toBe(200);
  });
});

describe("RateLimit headers (docs/limits.md)", () => {
  it("replace the origin's own; with no window at all, neither is sent and the origin's are removed", async () => {
    const metered = await newAccountWithKey("pro", {}, { per_minute: 50, per_day: null });
    const unmetered = await newAccountWithKey("pro", {}, UNMETERED);
    freezeInFreshMinute();
    const a = await withKey(metered.key, "/v1/competitors?behave=ratelimit");
    expect([a.headers.get("ratelimit-policy"), a.headers.get("ratelimit")]).toEqual([
      '"minute";q=50;w=60',
      '"minute";r=49;t=59',
    ]);
    const b = await withKey(unmetered.key, "/v1/competitors?behave=ratelimit");
    expect(b.status).toBe(200);
    expect([b.headers.get("ratelimit-policy"), b.headers.get("ratelimit")]).toEqual([null, null]);
    expect(b.headers.get("x-origin")).toBe("yes");
  });
});

describe("strong limits (docs/limits.md)", () => {
  it("once a lower limit's PUT has answered, no request takes the window past it", async () => {
    const { key, accountId } = await newAccountWithKey("pro", {}, { per_minute: 100, per_day: null });
    const at = freezeInFreshMinute();
    for (let i = 0; i < 20; i++) expect((await withKey(key, "/v1/competitors")).status).toBe(200);
    const started = performance.now();
    expect((await put(accountId, { plan: "pro", limits: { per_minute: 25, per_day: null } })).status).toBe(200);
    // The PUT waited out the leases in real time; the frozen clock moves on by as much.
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(LEASE_MS - 40);
    vi.setSystemTime(at + Math.ceil(waited));
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await withKey(key, "/v1/competitors")).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
  });

  it("a key's quota is reset by nothing but its window: not a new isolate, not a restarted authority", async () => {
    const { key, accountId } = await newAccountWithKey("pro", {}, { per_minute: 3, per_day: null });
    freezeInFreshMinute();
    for (let i = 0; i < 3; i++) expect((await withKey(key, "/v1/competitors")).status).toBe(200);
    expect((await withKey(key, "/v1/competitors")).status).toBe(429);
    clearIsolateMemory();
    expect((await withKey(key, "/v1/competitors")).status).toBe(429);
    await evictDurableObject(env.KEY_AUTHORITY.getByName(accountId));
    clearIsolateMemory();
    expect((await withKey(key, "/v1/competitors")).status).toBe(429);
  });

  it("isolates that come and go strand at most what they held, and never admit past the limit", async () => {
    const { key } = await newAccountWithKey("pro", {}, { per_minute: 40, per_day: null });
    freezeInFreshMinute();
    let admitted = 0;
    for (let i = 0; i < 80; i++) {
      if (i % 3 === 0) clearIsolateMemory(); // a new isolate: what the old one held is stranded
      const res = await withKey(key, "/v1/competitors");
      expect([200, 429]).toContain(res.status);
      if (res.status === 200) admitted++;
    }
    expect(admitted).toBeLessThanOrEqual(40);
    expect(admitted).toBeGreaterThanOrEqual(20);
  });
});

describe("a 429 says when its window resets", () => {
  it("resets_at is the RFC 3339 UTC time retry_after counts down to; detail says it too", async () => {
    const { key } = await newAccountWithKey("pro", {}, { per_minute: null, per_day: 2 });
    vi.useFakeTimers({ toFake: ["Date"] });
    const now = Date.UTC(2031, 4, 17, 5, 18, 45, 250);
    vi.setSystemTime(now);
    expect((await withKey(key, "/v1/competitors")).status).toBe(200);
    expect((await withKey(key, "/v1/competitors")).status).toBe(200);
    const refused = await withKey(key, "/v1/competitors");
    expect(refused.status).toBe(429);
    const problem = await problemOf(refused);
    const secondsLeft = Math.ceil((Date.UTC(2031, 4, 18) - now) / 1000);
    expect([problem.policy, problem.limit, problem.retry_after, problem.resets_at]).toEqual([
      "day",
      2,
      secondsLeft,
      "2031-05-18T00:00:00.000Z",
    ]);
    expect(refused.headers.get("retry-after")).toBe(String(secondsLeft));
    expect(problem.detail).toContain("2031-05-18T00:00:00.000Z");
  });
});

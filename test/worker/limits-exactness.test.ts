/**
 * Limits that change during a window, and `r` across an account's keys (docs/limits.md#changing-limits,
 * docs/limits.md#ratelimit-headers). Every window of the account is counted, limit or not; a limit set
 * during a window applies to what it admitted earlier; a grant's unspent rest is credited only to the
 * windows it debited; `r` goes down by exactly 1 per admitted request, whichever key is used.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { admin, freezeInFreshMinute, newAccountWithKey, newKey, UNMETERED, withKey } from "./helpers";

const LEASE_MS = 150;

afterEach(() => {
  vi.useRealTimers();
});

/** PUTs limits; the PUT waits out the leases in real time, and the frozen clock moves on by as much. */
async function putLimits(accountId: string, limits: unknown, at: number): Promise<number> {
  const started = performance.now();
  const res = await admin("PUT", `/accounts/${accountId}`, { plan: "pro", limits });
  expect(res.status).toBe(200);
  const now = at + Math.ceil(performance.now() - started) + LEASE_MS;
  vi.setSystemTime(now);
  return now;
}

async function statuses(keys: string[], count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await withKey(keys[i % keys.length] as string, "/v1/competitors")).status);
  return out;
}

function remaining(res: Response, name: string): number {
  const match = new RegExp(`"${name}";r=(\\d+)`).exec(res.headers.get("RateLimit") ?? "");
  if (!match) throw new Error(`no ${name} item in RateLimit: ${res.headers.get("RateLimit")}`);
  return Number(match[1]);
}

describe("a limit set during a window applies to what it admitted earlier", () => {
  it("30 requests with no limit, then per_minute 10: nothing more in that minute", async () => {
    const { key, accountId } = await newAccountWithKey("pro", {}, UNMETERED);
    let at = freezeInFreshMinute();
    expect(await statuses([key], 30)).toEqual(Array(30).fill(200));
    at = await putLimits(accountId, { per_minute: 10, per_day: null }, at);
    expect(await statuses([key], 3)).toEqual([429, 429, 429]);
  });

  it("12 with no limit, then per_minute 20: exactly 8 more, across three busy keys holding allotments", async () => {
    const { key, accountId } = await newAccountWithKey("pro", {}, UNMETERED);
    const others = [(await newKey(accountId)).key, (await newKey(accountId)).key];
    const keys = [key, ...others];
    let at = freezeInFreshMinute();
    expect(await statuses(keys, 12)).toEqual(Array(12).fill(200));
    at = await putLimits(accountId, { per_minute: 20, per_day: null }, at);
    // One key first uses the minute up; the others then get nothing more.
    const first = await statuses([key], 10);
    expect(first).toEqual([...Array(8).fill(200), 429, 429]);
    expect(await statuses(others, 4)).toEqual([429, 429, 429, 429]);
  });

  it("a limit added to busy keys holding allotments: admitted after the PUT is exactly the limit", async () => {
    const { key, accountId } = await newAccountWithKey("pro", {}, UNMETERED);
    const keys = [key, (await newKey(accountId)).key, (await newKey(accountId)).key];
    // The minute had no traffic before this PUT; the keys only hold allotments of the day.
    let at = freezeInFreshMinute();
    at = await putLimits(accountId, { per_minute: null, per_day: 1_000 }, at);
    expect(await statuses(keys, 3)).toEqual([200, 200, 200]);
    at = await putLimits(accountId, { per_minute: 5, per_day: 1_000 }, at);
    const after = [...(await statuses([keys[0] as string], 7)), ...(await statuses(keys.slice(1), 4))];
    expect(after.filter((s) => s === 200).length).toBe(2); // 5 − the 3 admitted earlier in the minute
    expect(after.slice(0, 3)).toEqual([200, 200, 429]);
  });

  it("a lowered limit below what was admitted: nothing more; raised again: the difference", async () => {
    const { key, accountId } = await newAccountWithKey("pro", {}, { per_minute: 100, per_day: null });
    let at = freezeInFreshMinute();
    expect(await statuses([key], 15)).toEqual(Array(15).fill(200));
    at = await putLimits(accountId, { per_minute: 10, per_day: null }, at);
    expect(await statuses([key], 2)).toEqual([429, 429]);
    at = await putLimits(accountId, { per_minute: 18, per_day: null }, at);
    expect(await statuses([key], 5)).toEqual([200, 200, 200, 429, 429]);
  });
});

describe("r across keys", () => {
  it("alternating keys A and B, one request at a time: r goes down by exactly 1 per request", async () => {
    const { key, accountId } = await newAccountWithKey("pro", {}, { per_minute: 60, per_day: 1_000 });
    const other = (await newKey(accountId)).key;
    freezeInFreshMinute();
    const minute: number[] = [];
    const day: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await withKey(i % 2 === 0 ? key : other, "/v1/competitors");
      expect(res.status).toBe(200);
      minute.push(remaining(res, "minute"));
      day.push(remaining(res, "day"));
    }
    expect(minute).toEqual(Array.from({ length: 12 }, (_, i) => 59 - i));
    expect(day).toEqual(Array.from({ length: 12 }, (_, i) => 999 - i));
  });

  it("three keys in turn, across lease renewals: still down by exactly 1", async () => {
    const { key, accountId } = await newAccountWithKey("pro", {}, { per_minute: 50, per_day: null });
    const keys = [key, (await newKey(accountId)).key, (await newKey(accountId)).key];
    const at = freezeInFreshMinute();
    const seen: number[] = [];
    for (let i = 0; i < 20; i++) {
      if (i % 7 === 6) vi.setSystemTime(at + (i / 7 + 1) * (LEASE_MS + 10)); // leases run out now and then
      const res = await withKey(keys[i % 3] as string, "/v1/competitors");
      expect(res.status).toBe(200);
      seen.push(remaining(res, "minute"));
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => 49 - i));
  });

  it("a key's own minute counts that key alone", async () => {
    const { key, accountId } = await newAccountWithKey(
      "pro",
      { rate_limit_per_minute: 10 },
      { per_minute: 60, per_day: null },
    );
    const other = (await newKey(accountId)).key;
    freezeInFreshMinute();
    const own: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await withKey(i % 2 === 0 ? key : other, "/v1/competitors");
      if (i % 2 === 0) own.push(remaining(res, "key-minute"));
      expect(remaining(res, "minute")).toBe(59 - i);
    }
    expect(own).toEqual([9, 8, 7]);
  });
});

describe("a rest held when its minute ends", () => {
  it("is given back to the day: a day of 20 admits exactly 20 across the minute boundary, r down by 1 each", async () => {
    const { key } = await newAccountWithKey("pro", {}, { per_minute: null, per_day: 20 });
    const at = freezeInFreshMinute();
    const before: number[] = [];
    for (let i = 0; i < 8; i++) before.push(remaining(await withKey(key, "/v1/competitors"), "day"));
    expect(before).toEqual([19, 18, 17, 16, 15, 14, 13, 12]);
    // The isolate still holds part of its grant: once the minute is over, that rest can no longer be
    // spent here, and is given back to the day with the next ask.
    vi.setSystemTime(at + 60_000);
    const after: (number | string)[] = [];
    for (let i = 0; i < 14; i++) {
      const res = await withKey(key, "/v1/competitors");
      after.push(res.status === 200 ? remaining(res, "day") : res.status);
    }
    expect(after).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 429, 429]);
  });
});

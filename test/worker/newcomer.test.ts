/**
 * What a newcomer tripped on (docs/api.md#the-decision-table, docs/limits.md, docs/lifecycle.md):
 * spaces and tabs around the key are not part of it; `invalid_key` says which flaw it is; a 429
 * says when its window resets (`resets_at`).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateKey } from "../../src/keys/format";
import { newAccountWithKey, problemOf, received, tag, withKey } from "./helpers";

afterEach(() => {
  vi.useRealTimers();
});

describe("X-NearIQ-Key: spaces and tabs around the value are not part of it (RFC 9110 §5.5)", () => {
  it("a trailing space, a leading space and tabs: the key is accepted and forwarded without a key header", async () => {
    const { key } = await newAccountWithKey("pro");
    const t = tag();
    for (const [i, value] of [`${key} `, ` ${key}`, `\t${key}\t`, `  ${key} \t `].entries()) {
      const res = await withKey(value, `/v1/competitors?t=${t}&i=${i}`);
      expect(res.status, JSON.stringify(value)).toBe(200);
    }
    const seen = await received(t);
    expect(seen.length).toBe(4);
    for (const r of seen) expect(r.headers["x-neariq-key"]).toBeUndefined();
  });

  it("any other character, inside or around it, still makes the key malformed", async () => {
    const { key } = await newAccountWithKey("pro");
    for (const value of [`${key}x`, `x${key}`, `"${key}"`, `${key.slice(0, 20)} ${key.slice(20)}`]) {
      const res = await withKey(value, "/v1/competitors");
      expect(res.status, value).toBe(401);
      expect((await problemOf(res)).code).toBe("invalid_key");
    }
  });
});

describe("invalid_key says which flaw it is", () => {
  it("another prefix, the wrong length, characters outside base62, a typo, over 512 bytes, several keys, an unknown key", async () => {
    const { key } = await newAccountWithKey("pro");
    const body = key.slice("niq_live_".length);
    const typo = `niq_live_${body.slice(0, 5)}${body[5] === "A" ? "B" : "A"}${body.slice(6)}`;
    const cases: [string, string, RegExp][] = [
      ["hello", "another prefix", /not a key of this API.*niq_live_/],
      [`sk_live_${body}`, "another prefix", /not a key of this API/],
      [`niq_live_${body}0`, "wrong length", /wrong length.*47 characters/],
      [`niq_live_${body.slice(0, 37)}!`, "outside base62", /letters and digits/],
      [typo, "a typo", /checksum does not match.*typo/],
      [`niq_live_${"0".repeat(600)}`, "over 512 bytes", /longer than 512 bytes/],
      [`${key}, ${key}`, "several keys", /several keys.*exactly one/],
      [generateKey("niq_live_"), "unknown", /not known/],
    ];
    const details: string[] = [];
    for (const [value, what, pattern] of cases) {
      const res = await withKey(value, "/v1/competitors");
      const problem = await problemOf(res);
      expect([res.status, problem.code], what).toEqual([401, "invalid_key"]);
      expect(problem.detail, what).toMatch(pattern);
      expect(problem.detail).not.toContain(body);
      details.push(problem.detail);
    }
    // Every flaw has its own words (the two prefix cases share theirs).
    expect(new Set(details).size).toBe(cases.length - 1);
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

/**
 * The `X-NearIQ-Key` header (docs/api.md#the-decision-table rows 2–3): exactly one key, at most 512
 * bytes, spaces and tabs around it not part of it, and an `invalid_key` detail that names the flaw.
 * Whatever else a client sends there: 401 problem+json, never a 5xx, never forwarded.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateKey } from "../../src/keys/format";
import { edge, newAccountWithKey, PROPERTY_RUNS, problemOf, received, tag, withKey } from "./helpers";

afterEach(() => {
  vi.useRealTimers();
});

// Printable ASCII and tab: workerd warns about (and re-encodes) anything else in a header.
const headerChar = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constant(0x09)).map((c) => String.fromCharCode(c));

function mutations(key: string) {
  return fc.oneof(
    fc.string({ unit: headerChar, maxLength: 600 }),
    fc.string({ unit: headerChar, minLength: 500, maxLength: 1200 }),
    fc.tuple(fc.nat(key.length - 1), headerChar).map(([i, c]) => key.slice(0, i) + c + key.slice(i + 1)),
    fc
      .tuple(fc.nat(key.length), fc.string({ unit: headerChar, maxLength: 8 }))
      .map(([i, s]) => key.slice(0, i) + s + key.slice(i)),
    fc.nat(key.length - 1).map((i) => key.slice(0, i) + key.slice(i + 1)),
    fc.constantFrom(`${key}, ${key}`, `${key},x`, key.toLowerCase(), key.toUpperCase(), ` ${key}x`),
  );
}

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

describe("any value (property-based)", () => {
  it("any X-NearIQ-Key value but a real key: 401 problem+json, never 5xx, never forwarded", async () => {
    const { key } = await newAccountWithKey();
    const t = tag();
    await fc.assert(
      fc.asyncProperty(mutations(key), async (value) => {
        // HTTP trims spaces and tabs around a header value (RFC 9110 §5.5): that is still the key.
        fc.pre(value.replace(/^[\t ]+|[\t ]+$/g, "") !== key);
        const res = await edge(`/v1/competitors?t=${t}`, { headers: { "X-NearIQ-Key": value } });
        expect(res.status).toBe(401);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        const body = (await res.json()) as { code: string };
        expect(["missing_key", "invalid_key"]).toContain(body.code);
      }),
      { numRuns: PROPERTY_RUNS },
    );
    expect(await received(t)).toEqual([]);
  }, 60_000);
});

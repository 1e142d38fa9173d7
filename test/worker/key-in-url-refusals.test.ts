/**
 * Row 1 of docs/api.md#the-decision-table: a key anywhere in the URL, as written or once
 * percent-decoded (leniently: docs/api.md#our-choices-where-the-rules-are-silent), is refused with
 * 400 `key_in_url` and never forwarded.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { edge, newAccountWithKey, PROPERTY_RUNS, problemOf, received, tag, withKey } from "./helpers";

/** `key` with the character at `i` percent-encoded. */
function encodedAt(key: string, i: number): string {
  return `${key.slice(0, i)}%${key.charCodeAt(i).toString(16).toUpperCase()}${key.slice(i + 1)}`;
}

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

describe("a key in the path next to an invalid escape (lenient percent-decoding)", () => {
  it("answers 400 key_in_url and forwards nothing, whatever invalid escape stands beside the key", async () => {
    const { key } = await newAccountWithKey();
    const t = tag();
    for (const noise of ["%ff", "%zz", "%", "%e2%82", "%%41"]) {
      for (const path of [
        `/v1/competitors/${noise}${encodedAt(key, 20)}`,
        `/v1/competitors/${encodedAt(key, 0)}${noise}`,
        `/v1/competitors/x${noise}${encodedAt(key, 46)}`,
      ]) {
        const res = await withKey(key, `${path}?t=${t}`);
        expect(res.status, path).toBe(400);
        expect((await problemOf(res)).code).toBe("key_in_url");
      }
    }
    expect(await received(t)).toEqual([]);
  });
});

describe("a key in the path (property-based)", () => {
  it("any path with a key in it, some characters percent-encoded, amid invalid escapes: 400 key_in_url, never forwarded", async () => {
    const { key } = await newAccountWithKey();
    const t = tag();
    const noise = fc.array(fc.constantFrom("%", "%z", "%zz", "%ff", "%C3", "%e2%82", "%%", "%g1", "x", "%25", "/"), {
      maxLength: 4,
    });
    const encodedKey = fc
      .array(fc.boolean(), { minLength: key.length, maxLength: key.length })
      .map((flags) =>
        [...key].map((ch, i) => (flags[i] ? `%${ch.charCodeAt(0).toString(16).padStart(2, "0")}` : ch)).join(""),
      );
    await fc.assert(
      fc.asyncProperty(
        noise,
        encodedKey,
        noise,
        fc.constantFrom("/v1/competitors/", "/v1/", "/v1/alerts/x/"),
        async (before, k, after, base) => {
          const res = await edge(`${base}${before.join("")}${k}${after.join("")}?t=${t}`, {
            headers: { "X-NearIQ-Key": key },
          });
          expect(res.status).toBe(400);
          expect(((await res.json()) as { code: string }).code).toBe("key_in_url");
        },
      ),
      { numRuns: PROPERTY_RUNS },
    );
    expect(await received(t)).toEqual([]);
  }, 120_000);
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { percentDecodeLeniently, refuseKeyInUrl } from "../../src/auth/key-in-url";
import { generateKey, keyLikePattern } from "../../src/keys/format";

describe("percentDecodeLeniently (docs/api.md#our-choices-where-the-rules-are-silent)", () => {
  it("decodes every valid %XX and leaves everything else as it is", () => {
    expect(percentDecodeLeniently("a%62c")).toBe("abc");
    expect(percentDecodeLeniently("%zz%4a%")).toBe("%zzJ%");
    expect(percentDecodeLeniently("%%41")).toBe("%A");
    expect(percentDecodeLeniently("%ff%4A")).toBe("\u00ffJ");
    expect(percentDecodeLeniently("%2541")).toBe("%41");
    expect(percentDecodeLeniently("plain")).toBe("plain");
    expect(percentDecodeLeniently("%e2%82%ac")).toBe("\u00e2\u0082\u00ac");
  });
});

/**
 * Lenient percent-decoding as row 1 of docs/api.md#the-decision-table words it ("every valid `%XX`,
 * the rest left as it is"), written here on its own, as a scan: the property's oracle, never the
 * code under test.
 */
function decodedAsDocumented(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

describe("refuseKeyInUrl", () => {
  const key = generateKey("niq_live_");
  const pattern = keyLikePattern("niq_live_");
  const encoded = (i: number) => `${key.slice(0, i)}%${key.charCodeAt(i).toString(16)}${key.slice(i + 1)}`;

  it("finds a key in a path segment beside an invalid escape", () => {
    for (const path of [`/v1/x/%ff${encoded(12)}`, `/v1/${encoded(0)}%`, `/v1/%zz${encoded(40)}%zz`]) {
      expect(() => refuseKeyInUrl(new URL(path, "http://e.test"), pattern), path).toThrow("Do not put an API key");
    }
  });

  it("lets a path without a key through, whatever its escapes", () => {
    expect(() => refuseKeyInUrl(new URL("/v1/x/%ff%zz%/niq_live_short", "http://e.test"), pattern)).not.toThrow();
  });

  it("finds a key however the URL is written: raw, %-encoded in parts, or with + in the query", () => {
    // Pieces a URL is made of, the key among them; each character may be written as %XX.
    const piece = fc.constantFrom(key, "a", "/", "?", "&", "=", "+", "%", "%zz", "niq_live_", "x".repeat(40));
    const written = fc
      .array(fc.tuple(piece, fc.boolean()), { maxLength: 8 })
      .map((parts) =>
        parts.map(([text, encode]) =>
          encode ? text.replace(/[A-Za-z0-9_]/g, (ch) => `%${ch.charCodeAt(0).toString(16)}`) : text,
        ),
      );
    fc.assert(
      fc.property(written, (parts) => {
        const url = new URL(`/v1/${parts.join("")}`, "http://e.test");
        const decoded = [...url.pathname.split("/").map(decodedAsDocumented), url.search];
        for (const [name, value] of url.searchParams) decoded.push(name, value);
        const holdsKey = decoded.some((place) => pattern.test(place));
        if (holdsKey) expect(() => refuseKeyInUrl(url, pattern), url.href).toThrow("Do not put an API key");
        else expect(() => refuseKeyInUrl(url, pattern), url.href).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});

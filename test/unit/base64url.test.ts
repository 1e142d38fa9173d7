import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64urlFromBytes, base64urlFromText } from "../../src/origin/base64url";

describe("base64url (RFC 4648 §5, no padding)", () => {
  it("matches the RFC's alphabet on bytes that use - and _", () => {
    expect(base64urlFromBytes(new Uint8Array([251, 255]))).toBe("-_8");
    expect(base64urlFromBytes(new Uint8Array([]))).toBe("");
    expect(base64urlFromText("{}")).toBe("e30");
    expect(base64urlFromText("é")).toBe("w6k");
  });

  it("agrees with Node's encoder for any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(base64urlFromBytes(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
      }),
      { numRuns: 500 },
    );
  });

  it("encodes text as its UTF-8 bytes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(base64urlFromText(text)).toBe(Buffer.from(text, "utf8").toString("base64url"));
      }),
    );
  });
});

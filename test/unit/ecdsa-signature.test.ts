import { webcrypto } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64, derToRawSignature, pemToDer } from "../../src/partners/ecdsa-signature";
import { toDer } from "../support/ecdsa-der";

describe("derToRawSignature", () => {
  it("round-trips any r and s, including leading zeros and high bits (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (raw) => {
        expect(Array.from(derToRawSignature(toDer(raw)) ?? [])).toEqual(Array.from(raw));
      }),
      { numRuns: 1_000 },
    );
  });

  it("turns a real signature into one WebCrypto verifies", async () => {
    const pair = (await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as webcrypto.CryptoKeyPair;
    const body = new TextEncoder().encode('[{"token":"x"}]');
    const raw = new Uint8Array(await webcrypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, body));
    const again = derToRawSignature(toDer(raw)) as Uint8Array;
    expect(await webcrypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pair.publicKey, again, body)).toBe(true);
  });

  it("refuses what is not a DER ECDSA signature", () => {
    const good = toDer(new Uint8Array(64).fill(7));
    expect(derToRawSignature(good)).not.toBeNull();
    for (const bad of [
      new Uint8Array(0),
      Uint8Array.from([0x31, ...good.subarray(1)]),
      good.subarray(0, good.length - 1),
      Uint8Array.from([...good, 0]),
      Uint8Array.from([0x30, 6, 0x02, 1, 0x81, 0x02, 1, 1]), // a negative r
      Uint8Array.from([0x30, 0x26, 0x02, 0x21, ...new Array(0x21).fill(1), 0x02, 1, 1]), // r of 33 bytes
    ]) {
      expect(derToRawSignature(bad)).toBeNull();
    }
  });
});

describe("DER in its one canonical form only", () => {
  // r = 0x01..0x20 (no high bit), s = 0x81 followed by 31 bytes (high bit: a leading 00 is required).
  const r = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const s = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 0x81 : i));
  const canonical = toDer(Uint8Array.from([...r, ...s]));
  const int = (bytes: number[]) => [0x02, bytes.length, ...bytes];
  const seq = (body: number[]) => Uint8Array.from([0x30, body.length, ...body]);

  it("the canonical form is accepted", () => {
    expect(Array.from(canonical.subarray(0, 4))).toEqual([0x30, 0x45, 0x02, 0x20]);
    expect(Array.from(derToRawSignature(canonical) ?? [])).toEqual([...r, ...s]);
  });

  it("a long-form length where the short form fits: refused (sequence and integer)", () => {
    const body = Array.from(canonical.subarray(2));
    expect(derToRawSignature(Uint8Array.from([0x30, 0x81, body.length, ...body]))).toBeNull();
    const longInt = [0x02, 0x81, 0x20, ...r, ...int([0, ...s])];
    expect(derToRawSignature(seq(longInt))).toBeNull();
    expect(derToRawSignature(Uint8Array.from([0x30, 0x82, 0x00, body.length, ...body]))).toBeNull();
  });

  it("an integer with an extra leading 00, or without the 00 its high bit needs: refused", () => {
    expect(derToRawSignature(seq([...int([0, ...r]), ...int([0, ...s])]))).toBeNull();
    expect(derToRawSignature(seq([...int([...r]), ...int([0, 0, ...s])]))).toBeNull();
    expect(derToRawSignature(seq([...int([...r]), ...int([...s])]))).toBeNull(); // negative s
    expect(derToRawSignature(seq([...int([]), ...int([0, ...s])]))).toBeNull(); // empty r
  });

  it("trailing bytes after the sequence, or a third integer inside it: refused", () => {
    expect(derToRawSignature(Uint8Array.from([...canonical, 0]))).toBeNull();
    expect(derToRawSignature(Uint8Array.from([...canonical, 0x30, 0]))).toBeNull();
    expect(derToRawSignature(seq([...Array.from(canonical.subarray(2)), ...int([1])]))).toBeNull();
  });

  it("small integers are canonical in one byte", () => {
    expect(Array.from(derToRawSignature(seq([...int([1]), ...int([0x7f])])) ?? []).slice(30, 34)).toEqual([0, 1, 0, 0]);
    expect(derToRawSignature(seq([...int([0]), ...int([0, 0x80])]))).not.toBeNull();
  });

  it("the header is standard padded base64: unpadded is refused", () => {
    expect(Array.from(decodeBase64("AQI=") ?? [])).toEqual([1, 2]);
    expect(decodeBase64("AQI")).toBeNull();
    expect(decodeBase64("AQ-_")).toBeNull();
  });
});

describe("decodeBase64 and pemToDer", () => {
  it("decodes base64 and PEM, and refuses anything else", () => {
    expect(Array.from(decodeBase64("AQID") ?? [])).toEqual([1, 2, 3]);
    expect(decodeBase64("not base64!")).toBeNull();
    expect(decodeBase64("")).toBeNull();
    expect(Array.from(pemToDer("-----BEGIN PUBLIC KEY-----\nAQID\n-----END PUBLIC KEY-----\n") ?? [])).toEqual([
      1, 2, 3,
    ]);
    expect(pemToDer("AQID")).toBeNull();
  });
});

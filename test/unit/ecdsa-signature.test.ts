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

import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  BASE62,
  checksum,
  crc32,
  generateKey,
  isWellFormedKey,
  keyHint,
  keyLikePattern,
  randomBase62,
} from "../../src/keys/format";

const PREFIX = "niq_live_";
const FORMAT = /^niq_live_[0-9A-Za-z]{38}$/;

describe("key format (docs/api.md#keys)", () => {
  it("generates 47-character keys with a valid checksum", () => {
    for (let i = 0; i < 200; i++) {
      const key = generateKey(PREFIX);
      expect(key).toMatch(FORMAT);
      expect(key).toHaveLength(47);
      expect(key.slice(-6)).toBe(checksum(key.slice(PREFIX.length, PREFIX.length + 32)));
      expect(isWellFormedKey(key, PREFIX)).toBe(true);
    }
  });

  it("computes CRC-32 exactly as zlib does, written in base62 and padded to 6 digits", () => {
    for (const text of ["", "a", "0123456789ABCDEFGHIJKLMNOPQRSTUV", randomBase62(32)]) {
      expect(crc32(text)).toBe(zlibCrc32(Buffer.from(text, "ascii")));
    }
    // CRC-32("123456789") = 0xCBF43926 = 3421780262 = base62 "3jIRbk"? computed independently below.
    let value = 0xcbf43926;
    let digits = "";
    while (value > 0) {
      digits = BASE62[value % 62] + digits;
      value = Math.floor(value / 62);
    }
    expect(checksum("123456789")).toBe(digits.padStart(6, "0"));
    expect(checksum("")).toBe("000000");
  });

  it("rejects any one-character change, a wrong prefix, a case change and bad lengths", () => {
    const key = generateKey(PREFIX);
    for (let i = PREFIX.length; i < key.length; i++) {
      for (const replacement of ["0", "z", "Q"]) {
        if (key[i] === replacement) continue;
        const changed = key.slice(0, i) + replacement + key.slice(i + 1);
        expect(isWellFormedKey(changed, PREFIX), changed).toBe(false);
      }
    }
    expect(isWellFormedKey(key.replace(PREFIX, "niq_test_"), PREFIX)).toBe(false);
    expect(isWellFormedKey(key.replace(PREFIX, "NIQ_LIVE_"), PREFIX)).toBe(false);
    const body = key.slice(PREFIX.length);
    const swapped = PREFIX + [...body].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("");
    expect(swapped).not.toBe(key); // a body of digits alone: about (10/62)^n, never in practice
    expect(isWellFormedKey(swapped, PREFIX)).toBe(false);
    expect(isWellFormedKey(key.slice(0, -1), PREFIX)).toBe(false);
    expect(isWellFormedKey(`${key}0`, PREFIX)).toBe(false);
    expect(isWellFormedKey(`${key.slice(0, -7)}-${key.slice(-6)}`, PREFIX)).toBe(false);
    expect(isWellFormedKey(` ${key.slice(1)}`, PREFIX)).toBe(false);
  });

  it("draws every base62 character about equally often (no modulo bias)", () => {
    const counts = new Map<string, number>();
    const sample = randomBase62(62 * 2000);
    for (const c of sample) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const count of counts.values()) expect(Math.abs(count - 2000)).toBeLessThan(300);
  });

  it("shows a hint of the prefix and the last 4 characters", () => {
    const key = generateKey(PREFIX);
    expect(keyHint(key, PREFIX)).toBe(`niq_live_\u2026${key.slice(-4)}`);
  });

  it("spots key-like text: the prefix and 32 or more base62 characters, case-sensitively", () => {
    const pattern = keyLikePattern(PREFIX);
    expect(pattern.test(`x=${PREFIX}${"a".repeat(32)}`)).toBe(true);
    expect(pattern.test(`${PREFIX}${"a".repeat(31)}`)).toBe(false);
    expect(pattern.test(`NIQ_LIVE_${"a".repeat(40)}`)).toBe(false);
  });
});

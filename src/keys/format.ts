/**
 * @module
 * The API key format of docs/api.md#keys: `KEY_PREFIX` + 32 random base62 characters + 6 base62
 * characters of CRC-32 checksum. Pure functions: nothing here touches storage.
 */

export const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const RANDOM_LENGTH = 32;
export const CHECKSUM_LENGTH = 6;
/** Longer `X-NearIQ-Key` values are refused before anything else is done with them. */
export const MAX_KEY_HEADER_BYTES = 512;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as in zlib) of an ASCII string. */
export function crc32(ascii: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < ascii.length; i++) {
    crc = (CRC_TABLE[(crc ^ ascii.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The 6-character checksum: CRC-32 as a base62 number, most significant digit first, `0`-padded. */
export function checksum(random: string): string {
  let value = crc32(random);
  let digits = "";
  do {
    digits = BASE62[value % 62] + digits;
    value = Math.floor(value / 62);
  } while (value > 0);
  return digits.padStart(CHECKSUM_LENGTH, "0");
}

/**
 * `length` base62 characters from `crypto.getRandomValues`, drawn by rejection sampling so that
 * every character is equally likely (no modulo bias).
 */
export function randomBase62(length: number): string {
  let out = "";
  const bytes = new Uint8Array(64);
  while (out.length < length) {
    crypto.getRandomValues(bytes);
    for (const byte of bytes) {
      // 248 = 4 × 62: bytes at or above it would favour the first digits.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/**
 * A new key: the prefix, 32 random base62 characters and their checksum.
 *
 * @example
 * generateKey("niq_live_") // "niq_live_" + 32 random + 6 checksum characters
 */
export function generateKey(prefix: string): string {
  const random = randomBase62(RANDOM_LENGTH);
  return prefix + random + checksum(random);
}

function isBase62(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const digit = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!digit) return false;
  }
  return true;
}

/** Why a candidate is not a well-formed key, checked in this order. */
export type KeyFlaw = "prefix" | "length" | "alphabet" | "checksum";

/**
 * What is wrong with `candidate` as a key for `prefix` (`null`: nothing; it is well-formed):
 * another prefix, the wrong length, characters outside base62, or a checksum that does not match.
 * Case-sensitive. Says nothing about whether the key exists.
 *
 * @example
 * keyFlaw("niq_live_" + "0".repeat(38), "niq_live_") // "checksum"
 */
export function keyFlaw(candidate: string, prefix: string): KeyFlaw | null {
  if (!candidate.startsWith(prefix)) return "prefix";
  if (candidate.length !== prefix.length + RANDOM_LENGTH + CHECKSUM_LENGTH) return "length";
  const body = candidate.slice(prefix.length);
  if (!isBase62(body)) return "alphabet";
  const random = body.slice(0, RANDOM_LENGTH);
  return body.slice(RANDOM_LENGTH) === checksum(random) ? null : "checksum";
}

/**
 * True when `candidate` is a well-formed key for `prefix`: right prefix, length, alphabet and
 * checksum. Case-sensitive. Says nothing about whether the key exists.
 */
export function isWellFormedKey(candidate: string, prefix: string): boolean {
  return keyFlaw(candidate, prefix) === null;
}

/** The hint shown in key lists: the prefix, `…` and the key's last 4 characters. */
export function keyHint(key: string, prefix: string): string {
  return `${prefix}\u2026${key.slice(-4)}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Matches anything that looks like a key: one of the prefixes followed by 32 or more base62 characters. */
export function keyLikePattern(...prefixes: string[]): RegExp {
  return new RegExp(`(?:${prefixes.map(escapeRegExp).join("|")})[0-9A-Za-z]{${RANDOM_LENGTH},}`);
}

/** The one of `prefixes` that `candidate` starts with (the longest, should one begin another), or `null`. */
export function prefixOf(candidate: string, prefixes: readonly string[]): string | null {
  let found: string | null = null;
  for (const prefix of prefixes) {
    if (candidate.startsWith(prefix) && (found === null || prefix.length > found.length)) found = prefix;
  }
  return found;
}

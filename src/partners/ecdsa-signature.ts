/**
 * @module
 * GitHub signs secret-scanning alerts with ECDSA P-256 / SHA-256 and sends the signature as base64
 * of its ASN.1 DER form (`SEQUENCE { INTEGER r, INTEGER s }`); WebCrypto verifies the raw form,
 * r ‖ s, each 32 bytes. Pure functions.
 */

const COMPONENT_BYTES = 32;

/** Bytes of standard padded base64; `null` when it is not that. */
export function decodeBase64(text: string): Uint8Array | null {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return null;
  try {
    const binary = atob(trimmed);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * Reads a DER length at `at`; returns [length, bytes used], or null. Canonical only (X.690 §10.1):
 * the short form for lengths under 128, else the long form in the fewest bytes.
 */
function readLength(der: Uint8Array, at: number): [number, number] | null {
  const first = der[at];
  if (first === undefined) return null;
  if (first < 0x80) return [first, 1];
  const count = first & 0x7f;
  if (count === 0 || count > 2) return null;
  let length = 0;
  for (let i = 1; i <= count; i++) {
    const byte = der[at + i];
    if (byte === undefined) return null;
    if (i === 1 && byte === 0) return null; // a leading zero byte: not the fewest bytes
    length = (length << 8) | byte;
  }
  if (length < 0x80) return null; // fits the short form
  return [length, 1 + count];
}

/**
 * One DER INTEGER as a 32-byte unsigned big-endian number. Canonical and positive only
 * (X.690 §8.3.2): at least one byte, a leading `00` only where the next byte has its high bit set.
 */
function readInteger(der: Uint8Array, at: number): [Uint8Array, number] | null {
  if (der[at] !== 0x02) return null;
  const len = readLength(der, at + 1);
  if (!len) return null;
  const [length, used] = len;
  const start = at + 1 + used;
  if (length < 1 || start + length > der.length) return null;
  let value = der.subarray(start, start + length);
  if ((value[0] as number) & 0x80) return null; // negative: not an ECDSA component
  if (value.length > 1 && value[0] === 0) {
    if (!((value[1] as number) & 0x80)) return null; // a leading zero that is not needed
    value = value.subarray(1);
  }
  if (value.length > COMPONENT_BYTES) return null;
  const out = new Uint8Array(COMPONENT_BYTES);
  out.set(value, COMPONENT_BYTES - value.length);
  return [out, start + length];
}

/**
 * The raw r ‖ s (64 bytes) of a DER ECDSA P-256 signature, or `null` when it is not one in DER's
 * one canonical form: a SEQUENCE of exactly two INTEGERs and nothing after it.
 *
 * @example
 * derToRawSignature(decodeBase64(header)!) // Uint8Array(64)
 */
export function derToRawSignature(der: Uint8Array): Uint8Array | null {
  if (der[0] !== 0x30) return null;
  const len = readLength(der, 1);
  if (!len) return null;
  const [length, used] = len;
  if (1 + used + length !== der.length) return null;
  const r = readInteger(der, 1 + used);
  if (!r) return null;
  const s = readInteger(der, r[1]);
  if (!s || s[1] !== der.length) return null;
  const raw = new Uint8Array(2 * COMPONENT_BYTES);
  raw.set(r[0], 0);
  raw.set(s[0], COMPONENT_BYTES);
  return raw;
}

/** The DER bytes inside a PEM block (`-----BEGIN PUBLIC KEY-----` …), or `null`. */
export function pemToDer(pem: string): Uint8Array | null {
  const match = /-----BEGIN PUBLIC KEY-----([\s\S]+?)-----END PUBLIC KEY-----/.exec(pem);
  return match ? decodeBase64((match[1] as string).replace(/\s+/g, "")) : null;
}

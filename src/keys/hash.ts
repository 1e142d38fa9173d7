/**
 * @module
 * SHA-256 of a key, in lowercase hex: the only form in which a key is ever stored.
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const utf8 = new TextEncoder();

/** @example await sha256Hex("abc") // "ba7816bf…" */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(text)));
  let hex = "";
  for (let i = 0; i < digest.length; i++) hex += HEX[digest[i] as number];
  return hex;
}

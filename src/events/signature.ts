/**
 * @module
 * Standard Webhooks signing (https://www.standardwebhooks.com/): `webhook-signature` is `v1,` and
 * the base64 of HMAC-SHA256, keyed with the secret's decoded bytes, over
 * `{webhook-id}.{webhook-timestamp}.{body}`. Receivers verify it with the reference
 * `standardwebhooks` package (the tests do).
 */

const encoder = new TextEncoder();

function base64(bytes: ArrayBuffer): string {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text);
}

/**
 * The three Standard Webhooks headers for one delivery attempt of `body`.
 *
 * @example
 * await webhookHeaders(key, "evt_…", 1767225600, '{"id":"evt_…"}') // { "webhook-id": …, … }
 */
export async function webhookHeaders(
  key: Uint8Array,
  id: string,
  timestamp: number,
  body: string,
): Promise<Record<string, string>> {
  const hmac = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signature = await crypto.subtle.sign("HMAC", hmac, encoder.encode(`${id}.${timestamp}.${body}`));
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1,${base64(signature)}`,
  };
}

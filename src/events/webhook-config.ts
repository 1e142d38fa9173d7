/**
 * @module
 * Webhook delivery's configuration (docs/events.md#webhooks): `EVENTS_WEBHOOK_URL` (an absolute
 * `http:`/`https:` URL) and `EVENTS_WEBHOOK_SECRET` (`whsec_` + padded standard base64 of 24–64
 * bytes). Both unset: delivery is off, and `/healthz` says nothing. One unset or either malformed:
 * delivery is off, and `/healthz` names the problem. An empty value counts as unset. Never echoes a value.
 */

export interface WebhookSettings {
  /** Whether events are delivered. */
  readonly deliver: boolean;
  readonly url: URL | null;
  /** The secret's decoded bytes (the HMAC key). */
  readonly key: Uint8Array | null;
  /** What `/healthz` says in `webhooks`; `null`: nothing (both unset), `"ok"` when delivering. */
  readonly status: string | null;
}

const SECRET_PREFIX = "whsec_";

/** The secret's key bytes, or `null` when it is not `whsec_` + padded base64 of 24–64 bytes. */
export function secretKey(secret: string): Uint8Array | null {
  if (!secret.startsWith(SECRET_PREFIX)) return null;
  const b64 = secret.slice(SECRET_PREFIX.length);
  if (b64.length === 0 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
  return bytes.length >= 24 && bytes.length <= 64 ? bytes : null;
}

function parseUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

const cache = new WeakMap<object, WebhookSettings>();

/**
 * The webhook settings of `env`, read once per env object.
 *
 * @example
 * webhookSettings(env).deliver // true when both vars are set and well-formed
 */
export function webhookSettings(env: { EVENTS_WEBHOOK_URL?: string; EVENTS_WEBHOOK_SECRET?: string }): WebhookSettings {
  const cached = cache.get(env);
  if (cached) return cached;
  const rawUrl = env.EVENTS_WEBHOOK_URL || "";
  const rawSecret = env.EVENTS_WEBHOOK_SECRET || "";
  let settings: WebhookSettings;
  if (!rawUrl && !rawSecret) {
    settings = { deliver: false, url: null, key: null, status: null };
  } else {
    const url = rawUrl ? parseUrl(rawUrl) : null;
    const key = rawSecret ? secretKey(rawSecret) : null;
    const problems: string[] = [];
    if (!rawUrl) problems.push("EVENTS_WEBHOOK_URL is not set");
    else if (!url) problems.push("EVENTS_WEBHOOK_URL is not an absolute http(s) URL");
    if (!rawSecret) problems.push("EVENTS_WEBHOOK_SECRET is not set");
    else if (!key) problems.push("EVENTS_WEBHOOK_SECRET is not whsec_ followed by base64 of 24 to 64 bytes");
    settings =
      problems.length === 0
        ? { deliver: true, url, key, status: "ok" }
        : { deliver: false, url: null, key: null, status: `not delivering: ${problems.join("; ")}` };
  }
  cache.set(env, settings);
  return settings;
}

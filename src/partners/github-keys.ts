/**
 * @module
 * The public keys GitHub signs secret-scanning alerts with (CONTRACT §9): the JSON document at
 * `SECRET_SCANNING_KEYS_URL`, cached per isolate for up to an hour and fetched again when an alert
 * names a key identifier the cached copy lacks, such refetches at most once per 60 s. Only settled
 * values are shared between requests (imported keys, times), never a fetch on its way: two
 * requests that find the cache empty at once each fetch.
 */

import { pemToDer } from "./ecdsa-signature";

export const KEYS_DOCUMENT_MAX_AGE_MS = 60 * 60 * 1000;
export const REFETCH_INTERVAL_MS = 60 * 1000;

interface Cached {
  readonly fetchedAt: number;
  readonly keys: ReadonlyMap<string, CryptoKey>;
}

let cached: Cached | null = null;
let lastRefetchAt = Number.NEGATIVE_INFINITY;

/** The document could not be fetched or read: the edge answers 503 (GitHub retries). */
export class KeysUnavailable extends Error {}

async function importKey(pem: string): Promise<CryptoKey | null> {
  const der = pemToDer(pem);
  if (!der) return null;
  try {
    return await crypto.subtle.importKey("spki", der, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  } catch {
    return null;
  }
}

async function fetchKeys(url: string, timeoutMs: number): Promise<Cached> {
  let document: unknown;
  try {
    const response = await fetch(url, {
      headers: { Accept: "application/json", "User-Agent": "neariq-edge-auth" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new KeysUnavailable(`keys document: HTTP ${response.status}`);
    document = await response.json();
  } catch (error) {
    throw error instanceof KeysUnavailable ? error : new KeysUnavailable("keys document: unreachable or not JSON");
  }
  const list = (document as { public_keys?: unknown } | null)?.public_keys;
  if (!Array.isArray(list)) throw new KeysUnavailable("keys document: no public_keys array");
  const keys = new Map<string, CryptoKey>();
  for (const entry of list) {
    const { key_identifier: id, key } = (entry ?? {}) as { key_identifier?: unknown; key?: unknown };
    if (typeof id !== "string" || typeof key !== "string") continue;
    const imported = await importKey(key);
    if (imported) keys.set(id, imported);
  }
  return { fetchedAt: Date.now(), keys };
}

/**
 * The public key GitHub names `identifier`, or `null` when the document (fetched again if need be,
 * within the refetch allowance) has no such key. Throws {@link KeysUnavailable}.
 */
export async function githubKey(identifier: string, url: string, timeoutMs: number): Promise<CryptoKey | null> {
  const now = Date.now();
  if (!cached || now - cached.fetchedAt >= KEYS_DOCUMENT_MAX_AGE_MS) {
    cached = await fetchKeys(url, timeoutMs);
    return cached.keys.get(identifier) ?? null;
  }
  const known = cached.keys.get(identifier);
  if (known) return known;
  if (now - lastRefetchAt < REFETCH_INTERVAL_MS) return null;
  lastRefetchAt = now;
  cached = await fetchKeys(url, timeoutMs);
  return cached.keys.get(identifier) ?? null;
}

/** Forgets the cached document: for tests that need an isolate that has fetched nothing. */
export function forgetGithubKeys(): void {
  cached = null;
  lastRefetchAt = Number.NEGATIVE_INFINITY;
}

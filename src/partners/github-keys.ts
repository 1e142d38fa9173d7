/**
 * @module
 * The public keys GitHub signs secret-scanning alerts with (docs/leak-reports.md#the-keys-document):
 * the JSON document at `SECRET_SCANNING_KEYS_URL`, cached per isolate for up to an hour and fetched
 * again when an alert names a key identifier the copy lacks, such refetches at most once per 60 s.
 *
 * An unsigned caller must not be able to make the edge fetch it again and again (GitHub allows 60
 * unauthenticated fetches an hour per address): at most one fetch is on its way per isolate, and
 * after a failed one none starts for 60 s. A failed fetch keeps the copy the edge had, expired or
 * not. Only settled values are shared between requests (imported keys, times, a flag), never the
 * fetch's promise: a request that finds a fetch on its way waits on its own timers, then reads the copy.
 */

import { pemToDer } from "./ecdsa-signature";

export const KEYS_DOCUMENT_MAX_AGE_MS = 60 * 60 * 1000;
export const REFETCH_INTERVAL_MS = 60 * 1000;
/** After a failed fetch, no other starts for this long. */
export const FAILURE_BACKOFF_MS = 60 * 1000;
/** A fetch with no complete answer within this long has failed. */
export const FETCH_TIMEOUT_MS = 5_000;
const MAX_POLL_MS = 16;

interface Copy {
  readonly fetchedAt: number;
  readonly keys: ReadonlyMap<string, CryptoKey>;
}

const state = {
  copy: null as Copy | null,
  /** Whether a fetch is on its way: a flag, never its promise (see the module's comment). */
  fetching: false,
  lastRefetchAt: Number.NEGATIVE_INFINITY,
  failedAt: Number.NEGATIVE_INFINITY,
};

/** The document could not be fetched or read, and no copy has the key: the edge answers 503 (GitHub retries). */
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

/** Fetches and reads the document; `null` when that failed (no answer in time, not 200, not a keys document). */
async function fetchKeys(url: string, token: string | null): Promise<Copy | null> {
  const headers: Record<string, string> = { Accept: "application/json", "User-Agent": "neariq-edge-auth" };
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (response.status !== 200) {
      await response.body?.cancel();
      return null;
    }
    const list = ((await response.json()) as { public_keys?: unknown } | null)?.public_keys;
    if (!Array.isArray(list)) return null;
    const keys = new Map<string, CryptoKey>();
    for (const entry of list) {
      const { key_identifier: id, key } = (entry ?? {}) as { key_identifier?: unknown; key?: unknown };
      if (typeof id !== "string" || typeof key !== "string") continue;
      const imported = await importKey(key);
      if (imported) keys.set(id, imported);
    }
    return { fetchedAt: Date.now(), keys };
  } catch {
    return null;
  }
}

/** Fetches the document as this request's own I/O; a failure keeps the copy and starts the backoff. */
async function fetchOnce(url: string, token: string | null): Promise<void> {
  state.fetching = true;
  try {
    const copy = await fetchKeys(url, token);
    if (copy) state.copy = copy;
    else state.failedAt = Date.now();
  } finally {
    state.fetching = false;
  }
}

/** Waits on this request's own timers while another request's fetch is on its way. */
async function waitForFetch(): Promise<void> {
  const until = Date.now() + FETCH_TIMEOUT_MS + 500;
  let pause = 1;
  while (state.fetching && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, MAX_POLL_MS);
  }
}

/**
 * The public key GitHub names `identifier`, or `null` when the document (fetched again if need be,
 * within the refetch allowance) has no such key. Throws {@link KeysUnavailable} when the document
 * cannot be had and no copy names the key.
 *
 * @example
 * const key = await githubKey(identifier, config.secretScanningKeysUrl, config.secretScanningToken);
 */
export async function githubKey(identifier: string, url: string, token: string | null): Promise<CryptoKey | null> {
  const now = Date.now();
  const copy = state.copy;
  const fresh = copy !== null && now - copy.fetchedAt < KEYS_DOCUMENT_MAX_AGE_MS;
  const known = copy?.keys.get(identifier) ?? null;
  if (fresh && known) return known;
  if (state.fetching) {
    await waitForFetch();
  } else if (now - state.failedAt < FAILURE_BACKOFF_MS) {
    // The last fetch failed lately: none starts yet, and the copy the edge has is all there is.
  } else if (fresh && now - state.lastRefetchAt < REFETCH_INTERVAL_MS) {
    return null; // the copy is current and was fetched again lately: the identifier is unknown
  } else {
    if (fresh) state.lastRefetchAt = now;
    await fetchOnce(url, token);
  }
  const latest = state.copy;
  if (latest !== null && latest !== copy) return latest.keys.get(identifier) ?? null;
  if (known) return known;
  throw new KeysUnavailable("keys document: not fetched, and no copy names the key");
}

/** Forgets the cached document and every fetch's trace: for tests that need an isolate that has fetched nothing. */
export function forgetGithubKeys(): void {
  state.copy = null;
  state.fetching = false;
  state.lastRefetchAt = Number.NEGATIVE_INFINITY;
  state.failedAt = Number.NEGATIVE_INFINITY;
}

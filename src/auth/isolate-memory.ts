/**
 * @module
 * What one isolate remembers between requests, each bounded: KV records by key hash (they only
 * ever change to "revoked", which may be trusted), well-formed keys that KV does not know (for a
 * short while), and the authority's leases.
 */
import type { KeyCheck } from "../authority/types";
import type { KeyRecord } from "../keys/record";
import { BoundedCache } from "./bounded-cache";

export const MAX_ENTRIES = 10_000;
/** How long a well-formed key that KV does not know is refused without another KV read. */
export const UNKNOWN_KEY_TTL_MS = 10_000;

export interface Lease {
  readonly check: KeyCheck;
  /** By this isolate's clock: when the check was sent, plus the lease the authority granted. */
  readonly until: number;
}

export const records = new BoundedCache<string, KeyRecord>(MAX_ENTRIES);
export const unknownKeys = new BoundedCache<string, number>(MAX_ENTRIES);
export const leases = new BoundedCache<string, Lease>(MAX_ENTRIES);

/** Called where this isolate creates a key, so that a recent "unknown" does not hide it. */
export function forgetUnknownKey(hash: string): void {
  unknownKeys.delete(hash);
}

/** Empties every cache: for tests that need an isolate that has seen nothing. */
export function clearIsolateMemory(): void {
  records.clear();
  unknownKeys.clear();
  leases.clear();
}

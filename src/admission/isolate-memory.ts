/**
 * @module
 * What one isolate remembers between requests, each bounded: KV records by key hash (they only
 * ever change to "revoked", which may be trusted), well-formed keys that KV does not know (for a
 * short while), keys refused as expired, and the authority's leases, indexed by account so that
 * one call renews them all. Only settled values: never a promise of another request's I/O.
 */
import type { KeyCheck } from "../authority/types";
import type { WindowCount } from "../domain/quota";
import type { KeyRecord } from "../keys/record";
import type { QuotaHolder, WindowKnowledge } from "../limits/held-allotment";
import { BoundedCache } from "../memory/bounded-cache";
import { usageCounter } from "../usage/counter";

export const MAX_ENTRIES = 10_000;
/** How long a well-formed key that KV does not know is refused without another KV read. */
export const UNKNOWN_KEY_TTL_MS = 10_000;
/** In its last this-many ms, a request that finds an unknown key's entry has KV asked again in the background. */
export const UNKNOWN_KEY_REFRESH_MS = 2_000;
/** At most this many such background reads at once per isolate; past it, entries simply run out. */
export const MAX_UNKNOWN_REFRESHES = 64;

/** A well-formed key KV did not know, refused until `until` (this isolate's clock). */
export interface UnknownKey {
  readonly until: number;
  /** Whether a background read of KV about it is on its way (its settled result replaces this entry). */
  refreshing: boolean;
}

/** How many other keys of an account one authority call renews at most. */
export const MAX_COMPANIONS = 31;
const MAX_INDEXED_KEYS_PER_ACCOUNT = 256;
const MAX_INDEXED_ACCOUNTS = 500;

export interface Lease extends QuotaHolder {
  readonly check: KeyCheck;
  /** By this isolate's clock: when the check was sent, plus the lease the authority granted. */
  readonly until: number;
  readonly accountId: string;
  readonly keyId: string;
  /** Whether a request used the key since the lease was granted: reported at renewal, for last-used. */
  used: boolean;
}

export const records = new BoundedCache<string, KeyRecord>(MAX_ENTRIES);
export const unknownKeys = new BoundedCache<string, UnknownKey>(MAX_ENTRIES);
/** How many background reads of unknown keys are on their way: a count, never their promises. */
export const unknownRefreshes = { count: 0 };
export const leases = new BoundedCache<string, Lease>(MAX_ENTRIES);
/** Keys refused as expired: an expiry is never undone (a roll only shortens one), so no need to ask again. */
export const expiredKeys = new BoundedCache<string, true>(MAX_ENTRIES);
/**
 * Key hash → how many authority calls about it are on their way. A count, never the call's
 * promise: a promise belongs to the request whose I/O settles it (see `waitForCallInFlight`).
 */
export const callsInFlight = new Map<string, number>();

export function callStarted(hash: string): void {
  callsInFlight.set(hash, (callsInFlight.get(hash) ?? 0) + 1);
}

export function callEnded(hash: string): void {
  const left = (callsInFlight.get(hash) ?? 1) - 1;
  if (left > 0) callsInFlight.set(hash, left);
  else callsInFlight.delete(hash);
}
/** Account id → hashes of its keys with a lease here, most recent last (bounded per account). */
const leasedByAccount = new BoundedCache<string, Set<string>>(MAX_INDEXED_ACCOUNTS);

/** Keeps the authority's answer about `hash` until `lease.until`, and indexes it by account. */
export function storeLease(hash: string, lease: Lease): void {
  leases.set(hash, lease);
  let hashes = leasedByAccount.get(lease.accountId);
  if (!hashes) {
    hashes = new Set();
    leasedByAccount.set(lease.accountId, hashes);
  }
  hashes.delete(hash);
  hashes.add(hash);
  if (hashes.size > MAX_INDEXED_KEYS_PER_ACCOUNT) hashes.delete(hashes.values().next().value as string);
}

export function dropLease(hash: string): void {
  leases.delete(hash);
}

/**
 * The account's other keys to ask about in the same call as `exceptHash`: those a request used
 * since their lease was granted, soonest to run out first. So an account spread over many busy
 * keys costs about one authority call per 32 keys per lease period, not one per key; idle keys
 * are left to run out.
 */
export function companionsOf(accountId: string, exceptHash: string, now: number, drain = false): Companion[] {
  const hashes = leasedByAccount.get(accountId);
  if (!hashes) return [];
  const busy: Companion[] = [];
  const holding: Companion[] = [];
  for (const hash of hashes) {
    if (hash === exceptHash) continue;
    const lease = leases.get(hash);
    if (!lease) hashes.delete(hash);
    else if (lease.used) busy.push({ hash, lease, busy: true });
    else if ((drain || now >= lease.until) && (lease.allotment?.remaining ?? 0) > 0) {
      holding.push({ hash, lease, busy: false });
    }
  }
  busy.sort((a, b) => a.lease.until - b.lease.until);
  return [...busy, ...holding].slice(0, MAX_COMPANIONS);
}

/**
 * A key asked about beside the one a request needs: a busy one (renewed, with a new allotment), or
 * an idle one that holds an unspent rest, only to give that back: one whose lease has run out, or
 * (`drain`, when a request has spent what its key held) any. So no count stays held here by a key
 * nobody uses, and a request is refused only when nothing is left anywhere in this isolate either.
 */
export interface Companion {
  readonly hash: string;
  readonly lease: Lease;
  readonly busy: boolean;
}

/**
 * Account id → the account's windows as the authority's latest answer here counted them (what it
 * had granted, to every isolate): with what this isolate holds unspent, `r` of `RateLimit`.
 */
export const accountCounts = new BoundedCache<string, readonly WindowCount[]>(MAX_INDEXED_ACCOUNTS);

/** Keeps the authority's latest count of each of the account's windows in `windows` (a key's own minute aside). */
export function noteAccountCounts(accountId: string, windows: readonly WindowCount[]): void {
  const kept = (accountCounts.get(accountId) ?? []).filter((c) => !windows.some((w) => w.name === c.name));
  accountCounts.set(accountId, [...kept, ...windows.filter((w) => w.name !== "key-minute")]);
}

/**
 * What this isolate knows of the windows of `holder`'s allotment: for the account's windows, the
 * authority's latest count and the unspent rest of every allotment held here for the account's keys
 * (so `r` does not depend on which key a request used); for a key's own minute, that key's alone.
 */
export function windowKnowledge(accountId: string, holder: QuotaHolder): WindowKnowledge {
  const own = holder.allotment;
  const latest = accountCounts.get(accountId);
  return {
    granted(w) {
      if (w.name === "key-minute") return w.granted;
      const counted = latest?.find((c) => c.name === w.name && c.start === w.start);
      return counted ? counted.granted : w.granted;
    },
    unspent(w) {
      if (w.name === "key-minute") return own?.remaining ?? 0;
      const holders = new Set<QuotaHolder>([holder]);
      for (const hash of leasedByAccount.get(accountId) ?? []) {
        const lease = leases.get(hash);
        if (lease) holders.add(lease);
      }
      let unspent = 0;
      for (const h of holders) {
        const held = h.allotment;
        if (held && held.remaining > 0 && held.windows.some((c) => c.name === w.name && c.start === w.start)) {
          unspent += held.remaining;
        }
      }
      return unspent;
    },
  };
}

/** The entry for a key KV has just said it does not know. */
export function unknownKeyEntry(now: number): UnknownKey {
  return { until: now + UNKNOWN_KEY_TTL_MS, refreshing: false };
}

/** Called where this isolate creates a key, so that a recent "unknown" does not hide it. */
export function forgetUnknownKey(hash: string): void {
  unknownKeys.delete(hash);
}

/** Empties every cache: for tests that need an isolate that has seen nothing. */
export function clearIsolateMemory(): void {
  records.clear();
  unknownKeys.clear();
  leases.clear();
  expiredKeys.clear();
  leasedByAccount.clear();
  accountCounts.clear();
  usageCounter.clear();
  callsInFlight.clear();
}

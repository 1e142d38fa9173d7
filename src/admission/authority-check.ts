/**
 * @module
 * The edge's questions to a key's authority (docs/consistency.md, docs/limits.md#exact-everywhere): reuse the
 * lease this isolate holds, wait for a call another request already made, or ask. Every call also
 * renews the leases this isolate holds on the account's other busy keys, gives back what the
 * isolate did not spend of each key's allotment, and brings a new one.
 */
import { askAuthority, authorityFor, authUnavailable } from "../authority/client";
import type { KeyCheck, KeyQuestion } from "../authority/types";
import type { RequestState } from "../http/request-state";
import type { KeyRecord } from "../keys/record";
import { type QuotaHolder, receive, spendable, takeReturning, wants } from "../limits/held-allotment";
import { usageCounter } from "../usage/counter";
import {
  callEnded,
  callStarted,
  callsInFlight,
  companionsOf,
  dropLease,
  type Lease,
  leases,
  noteAccountCounts,
  storeLease,
} from "./isolate-memory";

/** The authority's answer about a key, and where the key's allotment is held for this request. */
export interface Checked {
  readonly check: KeyCheck;
  readonly holder: QuotaHolder;
  /** Whether this request asked the authority itself (rather than reusing a lease or joining a call). */
  readonly asked: boolean;
}

/** What a request needs of a key: the key's status, or (`allotment`) something to spend as well. */
export type Need = "status" | "allotment" | "own-ask";

/** The longest pause between two looks at the isolate's leases while another request's call is on its way. */
const MAX_JOIN_POLL_MS = 16;

/** The lease this isolate holds on `hash`, if it is still current; marks the key used. */
function currentLease(hash: string, now: number): Lease | undefined {
  const lease = leases.get(hash);
  if (!lease || now >= lease.until) return undefined;
  lease.used = true;
  return lease;
}

/**
 * Waits while another request's authority call about `hash` is on its way, for at most `ms`, on
 * this request's own timers.
 *
 * Why not await that call's promise: workerd gives every request its own I/O context, and a
 * request whose only remaining work is a promise that another request's I/O will settle is
 * cancelled as hung ("The Workers runtime canceled this request because it detected that your
 * Worker's code had hung and would never generate a response", a bare 500 that skips our error
 * handling; https://developers.cloudflare.com/workers/observability/errors/). A timer is this
 * request's own I/O, and what it reads afterwards (the lease memory) is plain, settled data, so a
 * request that waits this way is never cancelled. Timers advance workerd's clock, so the deadline holds.
 */
async function waitForCallInFlight(hash: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  let pause = 1;
  while (callsInFlight.has(hash) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, MAX_JOIN_POLL_MS);
  }
}

/**
 * The authority's answer about the key, or the lease this isolate holds on an earlier one. While
 * leases are on, requests that need a key whose call is on its way wait for the lease it brings
 * rather than ask again; at `AUTH_LEASE_MS=0` every request asks for itself, since no answer may be
 * reused. `need` says what the request needs: the key's `status` (a current lease will do), an
 * `allotment` to spend (a call on its way may bring one; otherwise ask, even inside a lease), or
 * its `own-ask` (the authority's own word on what is left).
 */
export async function askAboutKey(
  state: RequestState,
  record: KeyRecord,
  hash: string,
  need: Need = "status",
): Promise<Checked> {
  const { config } = state;
  if (need === "status") {
    const current = currentLease(hash, Date.now());
    if (current) return { check: current.check, holder: current, asked: false };
  }
  // A call already on its way may bring a lease: use it only if it is still current when it lands.
  if (need !== "own-ask" && config.authLeaseMs > 0 && callsInFlight.has(hash)) {
    await waitForCallInFlight(hash, config.authTimeoutMs);
    const now = Date.now();
    const joined = currentLease(hash, now);
    if (joined && (need === "status" || spendable(joined.allotment, now))) {
      return { check: joined.check, holder: joined, asked: false };
    }
  }
  return ask(state, record, hash, need !== "status");
}

async function ask(state: RequestState, record: KeyRecord, hash: string, drain: boolean): Promise<Checked> {
  const { env, config, log } = state;
  const sentAt = Date.now();
  // Without leases, the allotment belongs to this request alone.
  const own = leases.get(hash) ?? { allotment: null, admitted: 0, since: sentAt };
  const questioned: [string, string, QuotaHolder, boolean][] = [
    [hash, record.key_id, own, true],
    ...companionsOf(record.account_id, hash, sentAt, drain).map(
      ({ hash: h, lease, busy }): [string, string, QuotaHolder, boolean] => [h, lease.keyId, lease, busy],
    ),
  ];
  const questions: KeyQuestion[] = questioned.map(([h, keyId, holder, busy]) => ({
    keyId,
    hash: h,
    used: busy,
    wants: busy ? wants(holder, sentAt, config.authLeaseMs) : 0,
    returning: takeReturning(holder),
  }));
  log.authority_calls++;
  // What this isolate counted of the account's usage rides along (docs/usage.md#counting).
  const handIn = usageCounter.take(record.account_id);
  const call = askAuthority(
    () => authorityFor(env, record.account_id).checkKeys(questions, config.authLeaseMs, handIn),
    config.authTimeoutMs,
  );
  for (const [h] of questioned) callStarted(h);
  let checks: KeyCheck[] | null;
  try {
    checks = await call;
  } finally {
    log.authority_ms += Date.now() - sentAt;
    for (const [h] of questioned) callEnded(h);
  }
  if (!checks?.[0]) throw authUnavailable();
  if (handIn) usageCounter.handedIn(record.account_id, handIn);
  const now = Date.now();
  let answer: Checked | undefined;
  questioned.forEach(([h, keyId, previous], i) => {
    const check = (checks as KeyCheck[])[i];
    if (!check) return;
    log.authority_writes += check.writes;
    // The authority answered in this order: the last answer holds its latest count of the account's windows.
    if (check.allotment) noteAccountCounts(record.account_id, check.allotment.windows);
    // Another request's ask may have landed meanwhile: keep what it brought, not what this one saw.
    const latest = config.authLeaseMs > 0 ? (leases.get(h) ?? previous) : previous;
    const holder: QuotaHolder = { allotment: latest.allotment, admitted: 0, since: sentAt };
    if (check.allotment) {
      const until = config.authLeaseMs > 0 ? sentAt + check.leaseMs : Number.POSITIVE_INFINITY;
      receive(holder, check.allotment, until, now);
    } else {
      holder.allotment = null;
    }
    if (check.leaseMs > 0) {
      const lease: Lease = {
        ...holder,
        check,
        until: sentAt + check.leaseMs,
        accountId: record.account_id,
        keyId,
        used: false,
      };
      storeLease(h, lease);
      if (i === 0) answer = { check, holder: lease, asked: true };
    } else {
      dropLease(h);
      if (i === 0) answer = { check, holder, asked: true };
    }
  });
  if (!answer) throw authUnavailable();
  return answer;
}

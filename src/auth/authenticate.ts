/**
 * @module
 * Authentication (CONTRACT §3 rows 2–5): the `X-NearIQ-Key` header becomes a {@link Principal}, or
 * a 401. Malformed keys are refused without any lookup; the KV record names the key's authority,
 * and the authority (or a lease it granted) has the last word on revocation and plan.
 */
import { askAuthority, authorityFor, authUnavailable } from "../authority/client";
import type { KeyCheck, StoredKey } from "../authority/types";
import type { Bindings, EdgeConfig } from "../env";
import { withDeadline } from "../http/deadline";
import { ProblemError } from "../http/problem";
import type { RequestLog } from "../http/request-log";
import { isWellFormedKey, MAX_KEY_HEADER_BYTES } from "../keys/format";
import { sha256Hex } from "../keys/hash";
import { type KeyRecord, kvKeyFor, parseKeyRecord } from "../keys/record";
import {
  callEnded,
  callStarted,
  callsInFlight,
  companionsOf,
  dropLease,
  expiredKeys,
  leases,
  records,
  storeLease,
  UNKNOWN_KEY_TTL_MS,
  unknownKeys,
} from "./isolate-memory";
import type { Plan } from "./policy";

export interface Principal {
  readonly accountId: string;
  readonly key: StoredKey;
  readonly plan: Plan;
}

const INVALID = "The API key is not valid.";

function expired(): ProblemError {
  return new ProblemError("expired_key", "This API key has expired.");
}
const utf8 = new TextEncoder();

/** The key the caller presented, checked for form only (no storage is touched). */
function presentedKey(headers: Headers, prefix: string): string {
  const value = headers.get("x-neariq-key");
  if (!value) {
    const detail = headers.get("authorization")
      ? "Send the API key in the X-NearIQ-Key header; a key in Authorization is not accepted."
      : "Send the API key in the X-NearIQ-Key header.";
    throw new ProblemError("missing_key", detail);
  }
  if (value.length > MAX_KEY_HEADER_BYTES || utf8.encode(value).length > MAX_KEY_HEADER_BYTES) {
    throw new ProblemError("invalid_key", `The X-NearIQ-Key header is longer than ${MAX_KEY_HEADER_BYTES} bytes.`);
  }
  if (value.includes(",")) throw new ProblemError("invalid_key", "Send exactly one API key.");
  if (!isWellFormedKey(value, prefix)) throw new ProblemError("invalid_key", INVALID);
  return value;
}

async function findRecord(env: Bindings, hash: string, config: EdgeConfig, log: RequestLog): Promise<KeyRecord> {
  const cached = records.get(hash);
  if (cached) return cached;
  const refusedUntil = unknownKeys.get(hash);
  if (refusedUntil !== undefined && refusedUntil > Date.now()) throw new ProblemError("invalid_key", INVALID);
  const started = Date.now();
  let value: unknown;
  try {
    log.kv_reads++;
    value = await withDeadline(env.API_KEYS.get(kvKeyFor(hash), "json"), config.authTimeoutMs, "KV");
  } catch {
    throw authUnavailable();
  } finally {
    log.kv_ms += Date.now() - started;
  }
  const record = parseKeyRecord(value);
  if (!record) {
    unknownKeys.set(hash, Date.now() + UNKNOWN_KEY_TTL_MS);
    throw new ProblemError("invalid_key", INVALID);
  }
  records.set(hash, record);
  return record;
}

/** The answer of a lease this isolate holds on `hash`, if it is still current. */
function currentLease(hash: string): KeyCheck | undefined {
  const lease = leases.get(hash);
  if (!lease || Date.now() >= lease.until) return undefined;
  lease.used = true;
  return lease.check;
}

/** The longest pause between two looks at the isolate's leases while another request's call is on its way. */
const MAX_JOIN_POLL_MS = 16;

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
 * The authority's answer about the key, or the lease this isolate holds on an earlier one. A call
 * also renews the leases this isolate holds on the account's other busy keys. While leases are on,
 * requests that need a key whose call is on its way wait for the lease it brings rather than ask
 * again; at `AUTH_LEASE_MS=0` every request asks for itself, since no answer may be reused.
 */
async function checkWithAuthority(
  env: Bindings,
  record: KeyRecord,
  hash: string,
  config: EdgeConfig,
  log: RequestLog,
): Promise<KeyCheck> {
  const current = currentLease(hash);
  if (current) return current;
  // A call already on its way may bring a lease: use it only if it is still current when it lands.
  if (config.authLeaseMs > 0 && callsInFlight.has(hash)) {
    await waitForCallInFlight(hash, config.authTimeoutMs);
    const joined = currentLease(hash);
    if (joined) return joined;
  }
  const questions = [{ keyId: record.key_id, hash, used: true }, ...companionsOf(record.account_id, hash)];
  const sentAt = Date.now();
  log.authority_calls++;
  const call = askAuthority(
    () => authorityFor(env, record.account_id).checkKeys(questions, config.authLeaseMs),
    config.authTimeoutMs,
  );
  for (const { hash: asked } of questions) callStarted(asked);
  let checks: KeyCheck[] | null;
  try {
    checks = await call;
  } finally {
    log.authority_ms += Date.now() - sentAt;
    for (const { hash: asked } of questions) callEnded(asked);
  }
  if (!checks) throw authUnavailable();
  const answered = checks;
  questions.forEach((question, i) => {
    const check = answered[i];
    if (!check) return;
    log.authority_writes += check.writes;
    if (check.leaseMs > 0) {
      storeLease(question.hash, {
        check,
        until: sentAt + check.leaseMs,
        accountId: record.account_id,
        keyId: question.keyId,
        used: false,
      });
    } else {
      dropLease(question.hash);
    }
  });
  const answer = answered[0];
  if (!answer) throw authUnavailable();
  return answer;
}

/**
 * The principal behind the request's `X-NearIQ-Key`, or a {@link ProblemError}: `missing_key`,
 * `invalid_key`, `revoked_key`, `expired_key`, or `auth_unavailable` when KV or the authority
 * fails (the edge fails closed).
 *
 * @example
 * const principal = await authenticate(c.req.raw.headers, c.env, config, log);
 */
export async function authenticate(
  headers: Headers,
  env: Bindings,
  config: EdgeConfig,
  log: RequestLog,
): Promise<Principal> {
  const presented = presentedKey(headers, config.keyPrefix);
  const hash = await sha256Hex(presented);
  const record = await findRecord(env, hash, config, log);
  log.account_id = record.account_id;
  log.key_id = record.key_id;
  if (record.revoked_at !== null) throw new ProblemError("revoked_key", "This API key has been revoked.");
  if (expiredKeys.get(hash)) throw expired();
  const { key, plan } = await checkWithAuthority(env, record, hash, config, log);
  if (!key || !plan) throw new ProblemError("invalid_key", INVALID);
  if (key.revokedAt !== null) {
    records.set(hash, { ...record, revoked_at: new Date(key.revokedAt).toISOString() });
    throw new ProblemError("revoked_key", "This API key has been revoked.");
  }
  if (key.expiresAt !== null && key.expiresAt <= Date.now()) {
    expiredKeys.set(hash, true);
    throw expired();
  }
  return { accountId: record.account_id, key, plan };
}

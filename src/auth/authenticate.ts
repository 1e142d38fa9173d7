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
  companionsOf,
  dropLease,
  leases,
  pendingChecks,
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

/**
 * The authority's answer about the key, or the lease this isolate holds on an earlier one. A call
 * also renews the leases this isolate holds on the account's other busy keys, and requests that
 * need the same key meanwhile wait for it rather than ask again.
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
  const pending = pendingChecks.get(hash);
  if (pending) {
    await pending.catch(() => {});
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
  for (const { hash: asked } of questions) pendingChecks.set(asked, call);
  let checks: KeyCheck[];
  try {
    checks = await call;
  } finally {
    log.authority_ms += Date.now() - sentAt;
    for (const { hash: asked } of questions) if (pendingChecks.get(asked) === call) pendingChecks.delete(asked);
  }
  questions.forEach((question, i) => {
    const check = checks[i];
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
  const answer = checks[0];
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
  const { key, plan } = await checkWithAuthority(env, record, hash, config, log);
  if (!key || !plan) throw new ProblemError("invalid_key", INVALID);
  if (key.revokedAt !== null) {
    records.set(hash, { ...record, revoked_at: new Date(key.revokedAt).toISOString() });
    throw new ProblemError("revoked_key", "This API key has been revoked.");
  }
  if (key.expiresAt !== null && key.expiresAt <= Date.now()) {
    throw new ProblemError("expired_key", "This API key has expired.");
  }
  return { accountId: record.account_id, key, plan };
}

/**
 * @module
 * Authentication (CONTRACT §3 rows 2–5): the `X-NearIQ-Key` header becomes a {@link Principal}, or
 * a 401. Malformed keys are refused without any lookup; the KV record names the key's authority,
 * and the authority (or a lease it granted) has the last word on revocation and plan.
 */
import { authUnavailable } from "../authority/client";
import type { KeyCheck, StoredKey } from "../authority/types";
import type { Bindings, EdgeConfig } from "../env";
import { withDeadline } from "../http/deadline";
import { ProblemError } from "../http/problem";
import type { RequestLog } from "../http/request-log";
import { isWellFormedKey, MAX_KEY_HEADER_BYTES } from "../keys/format";
import { sha256Hex } from "../keys/hash";
import { type KeyRecord, kvKeyFor, parseKeyRecord } from "../keys/record";
import type { QuotaHolder } from "../limits/held-allotment";
import { checkKey } from "./authority-check";
import { expiredKeys, records, UNKNOWN_KEY_TTL_MS, unknownKeys } from "./isolate-memory";
import type { AccountLimits, Plan } from "./policy";

export interface Principal {
  readonly accountId: string;
  readonly key: StoredKey;
  readonly plan: Plan;
  /** The limits in force for the account. */
  readonly limits: AccountLimits;
  /** The key's KV record and hash: what a new ask of its authority needs. */
  readonly record: KeyRecord;
  readonly hash: string;
  /** Where this request finds the key's allotment (quota leases). */
  readonly quota: QuotaHolder;
  /** Whether this request asked the authority itself (its answer is the authority's own word). */
  readonly asked: boolean;
}

const INVALID = "The API key is not valid.";

function revoked(): ProblemError {
  return new ProblemError("revoked_key", "This API key has been revoked.");
}

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
  // A UTF-16 code unit takes at most 3 bytes of UTF-8: only a value that long needs encoding to tell.
  const tooLong =
    value.length > MAX_KEY_HEADER_BYTES ||
    (value.length * 3 > MAX_KEY_HEADER_BYTES && utf8.encode(value).length > MAX_KEY_HEADER_BYTES);
  if (tooLong) {
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
  if (record.revoked_at !== null) throw revoked();
  if (expiredKeys.get(hash)) throw expired();
  const { check, holder, asked } = await checkKey(env, record, hash, config, log);
  return principalFrom(check, holder, record, hash, asked);
}

/**
 * The principal an authority's answer makes of the key, or the refusal it calls for: `invalid_key`
 * (unknown to the authority), `revoked_key` or `expired_key`. Remembers revocations and expiries.
 */
export function principalFrom(
  check: KeyCheck,
  holder: QuotaHolder,
  record: KeyRecord,
  hash: string,
  asked: boolean,
): Principal {
  const { key, plan, limits } = check;
  if (!key || !plan || !limits) throw new ProblemError("invalid_key", INVALID);
  if (key.revokedAt !== null) {
    records.set(hash, { ...record, revoked_at: new Date(key.revokedAt).toISOString() });
    throw revoked();
  }
  if (key.expiresAt !== null && key.expiresAt <= Date.now()) {
    expiredKeys.set(hash, true);
    throw expired();
  }
  return { accountId: record.account_id, key, plan, limits, record, hash, quota: holder, asked };
}

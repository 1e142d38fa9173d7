/**
 * @module
 * Authentication (docs/api.md#the-decision-table rows 2–5): the `X-NearIQ-Key` header becomes a {@link Principal}, or
 * a 401. Malformed keys are refused without any lookup; the KV record names the key's authority,
 * and the authority (or a lease it granted) has the last word on revocation and plan.
 */
import { authUnavailable } from "../authority/client";
import type { KeyCheck, StoredKey } from "../authority/types";
import type { AccountLimits, Plan } from "../domain/policy";
import type { Bindings, EdgeConfig } from "../env";
import { withDeadline } from "../http/deadline";
import { ProblemError } from "../http/problem";
import type { RequestLog } from "../http/request-log";
import { CHECKSUM_LENGTH, type KeyFlaw, keyFlaw, MAX_KEY_HEADER_BYTES, prefixOf, RANDOM_LENGTH } from "../keys/format";
import { sha256Hex } from "../keys/hash";
import { type KeyRecord, kvKeyFor, parseKeyRecord } from "../keys/record";
import type { QuotaHolder } from "../limits/held-allotment";
import { askAboutKey } from "./authority-check";
import {
  expiredKeys,
  MAX_UNKNOWN_REFRESHES,
  records,
  UNKNOWN_KEY_REFRESH_MS,
  type UnknownKey,
  unknownKeyEntry,
  unknownKeys,
  unknownRefreshes,
} from "./isolate-memory";

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

/** `invalid_key`'s `detail` for a well-formed key this API does not know. */
const UNKNOWN =
  "This API key is not known here: it was never created on this deployment, or was typed for another one. Check which key your code sends.";

/** `invalid_key`'s `detail` for each flaw of form, in words a person can act on (docs/api.md#the-decision-table). */
function malformed(flaw: KeyFlaw, prefix: string, config: EdgeConfig): string {
  const length = prefix.length + RANDOM_LENGTH + CHECKSUM_LENGTH;
  switch (flaw) {
    case "prefix":
      return `This is not a key of this API: its keys start with ${config.keyPrefix} (or ${config.testKeyPrefix} for test keys).`;
    case "length":
      return `The API key has the wrong length: a key is ${length} characters. Check that it was copied whole.`;
    case "alphabet":
      return "The API key holds characters other than letters and digits after its prefix. Check that it was copied without quotes or other characters.";
    case "checksum":
      return "The API key's checksum does not match: it has a typo. Copy it again from where it was stored.";
  }
}

const SURROUNDING_WHITESPACE = /^[ \t]+|[ \t]+$/g;

/** RFC 9110 §5.5: spaces and tabs around a field value are not part of it (a regular expression only when there are some). */
function withoutSurroundingWhitespace(value: string | null): string | null {
  if (!value) return value;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  const padded = first === 32 || first === 9 || last === 32 || last === 9;
  return padded ? value.replace(SURROUNDING_WHITESPACE, "") : value;
}

function revoked(): ProblemError {
  return new ProblemError("revoked_key", "This API key has been revoked.");
}

function expired(): ProblemError {
  return new ProblemError("expired_key", "This API key has expired.");
}
const utf8 = new TextEncoder();

/** The key the caller presented, checked for form only (no storage is touched). */
function presentedKey(headers: Headers, config: EdgeConfig): { key: string; prefix: string } {
  const value = withoutSurroundingWhitespace(headers.get("x-neariq-key"));
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
  if (value.includes(",")) {
    throw new ProblemError("invalid_key", "The X-NearIQ-Key header holds several keys; send exactly one.");
  }
  const prefix = prefixOf(value, config.keyPrefixes);
  const flaw = prefix === null ? "prefix" : keyFlaw(value, prefix);
  if (flaw) throw new ProblemError("invalid_key", malformed(flaw, prefix ?? config.keyPrefix, config));
  return { key: value, prefix: prefix as string };
}

/** KV's record of `hash` (`null` when KV does not know it), remembered either way. Throws when KV fails. */
async function readRecord(env: Bindings, hash: string, config: EdgeConfig): Promise<KeyRecord | null> {
  const value = await withDeadline(env.API_KEYS.get(kvKeyFor(hash), "json"), config.authTimeoutMs, "KV");
  const record = parseKeyRecord(value);
  if (record) {
    records.set(hash, record);
    unknownKeys.delete(hash);
  } else {
    unknownKeys.set(hash, unknownKeyEntry(Date.now()));
  }
  return record;
}

/**
 * Asks KV again about an unknown key whose entry is about to run out, after this request has its
 * answer: so that a key presented again and again never waits on KV (the refusal tail of
 * bench/RESULTS.md), while the entry still says only what KV said at most 10 s ago.
 */
function refreshUnknownKey(
  env: Bindings,
  hash: string,
  entry: UnknownKey,
  config: EdgeConfig,
  log: RequestLog,
  background: (work: Promise<unknown>) => void,
): void {
  if (entry.refreshing || unknownRefreshes.count >= MAX_UNKNOWN_REFRESHES) return;
  entry.refreshing = true;
  unknownRefreshes.count++;
  log.kv_reads++;
  background(
    readRecord(env, hash, config)
      .catch(() => {
        entry.refreshing = false; // KV failed: the entry runs out, and a request asks KV itself.
      })
      .finally(() => {
        unknownRefreshes.count--;
      }),
  );
}

async function findRecord(
  env: Bindings,
  hash: string,
  config: EdgeConfig,
  log: RequestLog,
  background: (work: Promise<unknown>) => void,
): Promise<KeyRecord> {
  const cached = records.get(hash);
  if (cached) return cached;
  const unknown = unknownKeys.get(hash);
  const now = Date.now();
  if (unknown !== undefined && unknown.until > now) {
    if (unknown.until - now <= UNKNOWN_KEY_REFRESH_MS) refreshUnknownKey(env, hash, unknown, config, log, background);
    throw new ProblemError("invalid_key", UNKNOWN);
  }
  const started = now;
  let record: KeyRecord | null;
  try {
    log.kv_reads++;
    record = await readRecord(env, hash, config);
  } catch {
    throw authUnavailable();
  } finally {
    log.kv_ms += Date.now() - started;
  }
  if (!record) throw new ProblemError("invalid_key", UNKNOWN);
  return record;
}

/**
 * The principal behind the request's `X-NearIQ-Key`, or a {@link ProblemError}: `missing_key`,
 * `invalid_key`, `revoked_key`, `expired_key`, or `auth_unavailable` when KV or the authority
 * fails (the edge fails closed).
 *
 * @example
 * const principal = await authenticate(request.headers, env, config, log, state.background);
 */
export async function authenticate(
  headers: Headers,
  env: Bindings,
  config: EdgeConfig,
  log: RequestLog,
  background: (work: Promise<unknown>) => void,
): Promise<Principal> {
  const presented = presentedKey(headers, config);
  const hash = await sha256Hex(presented.key);
  const record = await findRecord(env, hash, config, log, background);
  log.account_id = record.account_id;
  log.key_id = record.key_id;
  log.mode = presented.prefix === config.testKeyPrefix ? "test" : "live";
  if (record.revoked_at !== null) throw revoked();
  if (expiredKeys.get(hash)) throw expired();
  const { check, holder, asked } = await askAboutKey(env, record, hash, config, log);
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
  if (!key || !plan || !limits) throw new ProblemError("invalid_key", UNKNOWN);
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

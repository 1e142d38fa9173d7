/**
 * @module
 * Authentication (docs/api.md#the-decision-table rows 2–5): the `X-NearIQ-Key` header becomes a
 * {@link Caller} and the {@link KeyHandle} admission needs, or a 401. Malformed keys are refused
 * without any lookup; the KV record names the key's authority, and the authority (or a lease it
 * granted) has the last word on revocation and plan.
 */
import type { KeyHandle } from "../admission/admit";
import { askAboutKey } from "../admission/authority-check";
import {
  expiredKeys,
  MAX_UNKNOWN_REFRESHES,
  records,
  UNKNOWN_KEY_REFRESH_MS,
  type UnknownKey,
  unknownKeyEntry,
  unknownKeys,
  unknownRefreshes,
} from "../admission/isolate-memory";
import { expiredKey, revokedKey, standingOf, unknownKey } from "../admission/key-standing";
import { authUnavailable } from "../authority/client";
import type { StoredKey } from "../authority/types";
import type { AccountLimits, Plan } from "../domain/policy";
import type { EdgeConfig } from "../env";
import { withDeadline } from "../http/deadline";
import { ProblemError } from "../http/problem";
import type { RequestState } from "../http/request-state";
import { CHECKSUM_LENGTH, type KeyFlaw, keyFlaw, MAX_KEY_HEADER_BYTES, prefixOf, RANDOM_LENGTH } from "../keys/format";
import { sha256Hex } from "../keys/hash";
import { type KeyRecord, kvKeyFor, parseKeyRecord } from "../keys/record";

/** Who is calling: the account, the key (its scopes, mode and own limits), the plan and the limits in force. */
export interface Caller {
  readonly accountId: string;
  readonly key: StoredKey;
  readonly plan: Plan;
  readonly limits: AccountLimits;
}

/** What authentication hands the steps after it: who is calling, and what admission needs of the key. */
export interface Authenticated {
  readonly caller: Caller;
  readonly handle: KeyHandle;
}

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
async function readRecord(state: RequestState, hash: string): Promise<KeyRecord | null> {
  const read = state.env.API_KEYS.get(kvKeyFor(hash), "json");
  const value = await withDeadline(read, state.config.authTimeoutMs, "KV");
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
function refreshUnknownKey(state: RequestState, hash: string, entry: UnknownKey): void {
  if (entry.refreshing || unknownRefreshes.count >= MAX_UNKNOWN_REFRESHES) return;
  entry.refreshing = true;
  unknownRefreshes.count++;
  state.log.kv_reads++;
  state.background(
    readRecord(state, hash)
      .catch(() => {
        entry.refreshing = false; // KV failed: the entry runs out, and a request asks KV itself.
      })
      .finally(() => {
        unknownRefreshes.count--;
      }),
  );
}

async function findRecord(state: RequestState, hash: string): Promise<KeyRecord> {
  const cached = records.get(hash);
  if (cached) return cached;
  const unknown = unknownKeys.get(hash);
  const now = Date.now();
  if (unknown !== undefined && unknown.until > now) {
    if (unknown.until - now <= UNKNOWN_KEY_REFRESH_MS) refreshUnknownKey(state, hash, unknown);
    throw unknownKey();
  }
  const started = now;
  let record: KeyRecord | null;
  try {
    state.log.kv_reads++;
    record = await readRecord(state, hash);
  } catch {
    throw authUnavailable();
  } finally {
    state.log.kv_ms += Date.now() - started;
  }
  if (!record) throw unknownKey();
  return record;
}

/**
 * Who is behind the request's `X-NearIQ-Key`, and the handle admission needs; or a
 * {@link ProblemError}: `missing_key`, `invalid_key`, `revoked_key`, `expired_key`, or
 * `auth_unavailable` when KV or the authority fails (the edge fails closed).
 *
 * @example
 * const { caller, handle } = await authenticate(request.headers, state);
 */
export async function authenticate(headers: Headers, state: RequestState): Promise<Authenticated> {
  const { config, log } = state;
  const presented = presentedKey(headers, config);
  const hash = await sha256Hex(presented.key);
  const record = await findRecord(state, hash);
  log.account_id = record.account_id;
  log.key_id = record.key_id;
  log.mode = presented.prefix === config.testKeyPrefix ? "test" : "live";
  if (record.revoked_at !== null) throw revokedKey();
  if (expiredKeys.get(hash)) throw expiredKey();
  const { check, holder, asked } = await askAboutKey(state, record, hash);
  const standing = standingOf(check, record, hash, Date.now());
  if (standing.refusal) throw standing.refusal;
  const { key, plan, limits } = standing;
  return { caller: { accountId: record.account_id, key, plan, limits }, handle: { record, hash, holder, asked } };
}

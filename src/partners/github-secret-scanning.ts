/**
 * @module
 * Leaked keys revoke themselves (docs/leak-reports.md): GitHub's secret-scanning partner alerts arrive at
 * `POST /_partners/github/secret-scanning`, signed by GitHub over the raw body. Every reported
 * token that is a key of this edge is revoked at once and strongly, with reason `leaked`, through
 * its account's authority (one call per account), and the answer tells GitHub which were real.
 * No token ever reaches an answer or a log line: only its SHA-256.
 */
import type { Context } from "hono";
import { askAuthority, authorityFor, authUnavailable, changeDeadline } from "../authority/client";
import type { LeakedKey } from "../authority/types";
import type { AppEnv } from "../http/app-env";
import { withDeadline } from "../http/deadline";
import { ProblemError } from "../http/problem";
import { parseJsonBytes, readBodyBytes } from "../http/read-body";
import { isWellFormedKey, prefixOf } from "../keys/format";
import { sha256Hex } from "../keys/hash";
import { kvKeyFor, parseKeyRecord } from "../keys/record";
import { decodeBase64, derToRawSignature } from "./ecdsa-signature";
import { githubKey, KeysUnavailable } from "./github-keys";

/** A well-formed key of this edge, live or test (docs/test-keys.md). */
function isOurKey(token: string, prefixes: readonly string[]): boolean {
  const prefix = prefixOf(token, prefixes);
  return prefix !== null && isWellFormedKey(token, prefix);
}

export const MAX_REPORT_BYTES = 1_048_576;
export const MAX_REPORT_ITEMS = 1_000;
/** Keys per bulk KV read (the platform's maximum). */
const KV_BATCH = 100;

interface ReportItem {
  readonly token: string;
  readonly type: string | null;
  readonly url: string | null;
  readonly source: string | null;
}

function invalidSignature(): ProblemError {
  return new ProblemError("invalid_signature", "The report's GitHub signature is missing or does not verify.");
}

/** The signature check over the raw body; throws 401 `invalid_signature` or 503 `auth_unavailable`. */
async function verifySignature(c: Context<AppEnv>, body: Uint8Array): Promise<void> {
  const identifier = c.req.header("github-public-key-identifier");
  const signature = c.req.header("github-public-key-signature");
  if (!identifier || !signature) throw invalidSignature();
  const der = decodeBase64(signature);
  const raw = der && derToRawSignature(der);
  if (!raw) throw invalidSignature();
  const { config } = c.var.state;
  let key: CryptoKey | null;
  try {
    key = await githubKey(identifier, config.secretScanningKeysUrl, config.secretScanningToken);
  } catch (error) {
    if (error instanceof KeysUnavailable) throw authUnavailable();
    throw error;
  }
  if (!key || !(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, raw, body))) {
    throw invalidSignature();
  }
}

// docs/leak-reports.md: `token` a string; the others strings when present (null is not a string).
const optionalString = (value: unknown) => value === undefined || typeof value === "string";

/** The report's items: a JSON array of `{token, type?, url?, source?}`, at most 1,000. */
function parseReport(body: Uint8Array): ReportItem[] {
  const value = parseJsonBytes(body);
  const isItem = (item: unknown): item is Record<string, unknown> =>
    typeof item === "object" && item !== null && !Array.isArray(item);
  if (
    !Array.isArray(value) ||
    !value.every(
      (item) =>
        isItem(item) &&
        typeof item.token === "string" &&
        ["type", "url", "source"].every((f) => optionalString(item[f])),
    )
  ) {
    throw new ProblemError("invalid_request", "The report must be a JSON array of {token, type, url, source}.");
  }
  if (value.length > MAX_REPORT_ITEMS) {
    throw new ProblemError("payload_too_large", `A report holds at most ${MAX_REPORT_ITEMS} items.`);
  }
  return value.map((item) => ({
    token: item.token as string,
    type: (item.type as string | undefined) ?? null,
    url: (item.url as string | undefined) ?? null,
    source: (item.source as string | undefined) ?? null,
  }));
}

/** The KV records of `hashes`, read in bulk. */
async function recordsOf(c: Context<AppEnv>, hashes: string[]) {
  const { config, log } = c.var.state;
  const found = new Map<string, { accountId: string; keyId: string }>();
  for (let i = 0; i < hashes.length; i += KV_BATCH) {
    const batch = hashes.slice(i, i + KV_BATCH);
    let values: Map<string, unknown>;
    try {
      log.kv_reads++;
      values = await withDeadline(c.env.API_KEYS.get(batch.map(kvKeyFor), "json"), config.authTimeoutMs, "KV");
    } catch {
      throw authUnavailable();
    }
    for (const hash of batch) {
      const record = parseKeyRecord(values.get(kvKeyFor(hash)));
      if (record) found.set(hash, { accountId: record.account_id, keyId: record.key_id });
    }
  }
  return found;
}

/**
 * `POST /_partners/github/secret-scanning`: verifies, revokes, and answers one
 * `{token_hash, token_type, label}` per item, in order.
 */
export async function secretScanningReport(c: Context<AppEnv>): Promise<Response> {
  const { config, log, requestId } = c.var.state;
  const body = await readBodyBytes(c.req.raw, MAX_REPORT_BYTES);
  await verifySignature(c, body);
  const items = parseReport(body);
  const hashes = await Promise.all(items.map((item) => sha256Hex(item.token)));
  const ours = [...new Set(hashes.filter((_, i) => isOurKey((items[i] as ReportItem).token, config.keyPrefixes)))];
  const records = await recordsOf(c, ours);
  const byAccount = new Map<string, LeakedKey[]>();
  items.forEach((item, i) => {
    const hash = hashes[i] as string;
    const record = records.get(hash);
    if (!record) return;
    const leaks = byAccount.get(record.accountId) ?? [];
    if (!leaks.some((leak) => leak.hash === hash))
      leaks.push({ keyId: record.keyId, hash, url: item.url, source: item.source });
    byAccount.set(record.accountId, leaks);
  });
  const deadline = changeDeadline(config);
  const confirmed = new Set<string>();
  await Promise.all(
    [...byAccount].map(async ([accountId, leaks]) => {
      log.authority_calls++;
      const found = await askAuthority(() => authorityFor(c.env, accountId).revokeLeaked(leaks), deadline);
      leaks.forEach((leak, i) => {
        if (found[i]) confirmed.add(leak.hash);
      });
    }),
  );
  const answer = items.map((item, i) => ({
    token_hash: hashes[i] as string,
    token_type: item.type,
    label: confirmed.has(hashes[i] as string) ? "true_positive" : "false_positive",
  }));
  // One line per report: counts only, never a token or a URL.
  console.log(
    JSON.stringify({
      request_id: requestId,
      leak_report: {
        items: items.length,
        true_positives: answer.filter((a) => a.label === "true_positive").length,
        accounts: byAccount.size,
      },
    }),
  );
  return c.json(answer);
}

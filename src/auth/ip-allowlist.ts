/**
 * @module
 * Row 5a of docs/api.md#the-decision-table (docs/lifecycle.md): a key with `allowed_ips` is refused with 403 `ip_not_allowed` when
 * the client's address (`CF-Connecting-IP`, which Cloudflare sets) is in none of its blocks. A
 * missing or unparsable header is in none. The refusal counts against no limit.
 */
import type { StoredKey } from "../authority/types";
import { ProblemError } from "../http/problem";
import { BoundedCache } from "../memory/bounded-cache";
import { type Block, contains, parseAddress, parseBlock } from "../net/cidr";

/** Parsed allowlists, by their stored (normalized) text: parsed once per isolate, not per request. */
const parsed = new BoundedCache<string, Block[]>(1_000);

function blocksOf(allowedIps: readonly string[]): Block[] {
  const text = allowedIps.join(",");
  let blocks = parsed.get(text);
  if (!blocks) {
    blocks = allowedIps.map((entry) => parseBlock(entry)).filter((block): block is Block => block !== null);
    parsed.set(text, blocks);
  }
  return blocks;
}

/**
 * Throws `ip_not_allowed` unless `key` may be used from the request's `CF-Connecting-IP`.
 *
 * @example
 * refuseOutsideAllowlist(caller.key, request.headers);
 */
export function refuseOutsideAllowlist(key: StoredKey, headers: Headers): void {
  if (key.allowedIps === null) return;
  const client = parseAddress(headers.get("cf-connecting-ip")?.trim() ?? "");
  if (client && blocksOf(key.allowedIps).some((block) => contains(block, client))) return;
  throw new ProblemError("ip_not_allowed", "This API key may not be used from this address.");
}

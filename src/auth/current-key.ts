/**
 * @module
 * `GET /v1/api-keys/current`: the edge's own answer about the key that made the request
 * (docs/api.md#get-v1api-keyscurrent).
 */
import { presentKey } from "../authority/present";
import { TEST_LIMITS } from "../domain/policy";
import type { Caller } from "./authenticate";

/** `GET /v1/api-keys/current` (docs/api.md#get-v1api-keyscurrent, docs/api.md#our-choices-where-the-rules-are-silent). */
export function presentCurrentKey(caller: Caller) {
  const listed = presentKey(caller.key);
  return {
    id: listed.id,
    name: listed.name,
    account_id: caller.accountId,
    scopes: listed.scopes,
    plan: caller.plan,
    hint: listed.hint,
    created_at: listed.created_at,
    expires_at: listed.expires_at,
    last_used_at: listed.last_used_at,
    rate_limit_per_minute: listed.rate_limit_per_minute,
    allowed_ips: listed.allowed_ips,
    // A test key's windows are the fixed test ones (docs/test-keys.md).
    limits: caller.key.mode === "test" ? TEST_LIMITS : caller.limits,
    mode: listed.mode,
  };
}

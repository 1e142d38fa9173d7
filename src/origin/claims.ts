/**
 * @module
 * The identity we forward: claim headers and the claims of the signed assertion (docs/api.md#for-origin-teams-what-the-origin-receives).
 */
import type { Caller } from "../auth/authenticate";
import type { AssertionClaims } from "./assertion";

/** The claims binding `caller` to this one request: method, and path and query as forwarded. */
export function assertionClaims(
  caller: Caller,
  requestId: string,
  method: string,
  forwardedUrl: URL,
  audience: string,
): AssertionClaims {
  return {
    aud: audience,
    sub: caller.accountId,
    key_id: caller.key.id,
    scope: [...caller.key.scopes].sort().join(" "),
    plan: caller.plan,
    jti: requestId,
    htm: method,
    htu: forwardedUrl.pathname + forwardedUrl.search,
    mode: caller.key.mode,
  };
}

/** The `X-NearIQ-*` headers the origin receives, one value each: the same facts the assertion signs. */
export function claimHeaders(claims: AssertionClaims, assertion: string): Record<string, string> {
  return {
    "X-NearIQ-Account-Id": claims.sub,
    "X-NearIQ-Key-Id": claims.key_id,
    "X-NearIQ-Scopes": claims.scope,
    "X-NearIQ-Plan": claims.plan,
    "X-NearIQ-Request-Id": claims.jti,
    "X-NearIQ-Mode": claims.mode,
    "X-NearIQ-Auth-Assertion": assertion,
  };
}

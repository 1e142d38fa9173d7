/**
 * @module
 * The identity we forward: claim headers and the claims of the signed assertion (CONTRACT §5).
 */
import type { Principal } from "../auth/authenticate";
import type { AssertionClaims } from "./assertion";

/** The principal's scopes as one space-separated, sorted string. */
export function scopeString(principal: Principal): string {
  return [...principal.key.scopes].sort().join(" ");
}

/** The claims binding `principal` to this one request: method, and path and query as forwarded. */
export function assertionClaims(
  principal: Principal,
  requestId: string,
  method: string,
  forwardedUrl: URL,
  audience: string,
): AssertionClaims {
  return {
    aud: audience,
    sub: principal.accountId,
    key_id: principal.key.id,
    scope: scopeString(principal),
    plan: principal.plan,
    jti: requestId,
    htm: method,
    htu: forwardedUrl.pathname + forwardedUrl.search,
  };
}

/** The `X-NearIQ-*` headers the origin receives, one value each. */
export function claimHeaders(principal: Principal, requestId: string, assertion: string): Record<string, string> {
  return {
    "X-NearIQ-Account-Id": principal.accountId,
    "X-NearIQ-Key-Id": principal.key.id,
    "X-NearIQ-Scopes": scopeString(principal),
    "X-NearIQ-Plan": principal.plan,
    "X-NearIQ-Request-Id": requestId,
    "X-NearIQ-Auth-Assertion": assertion,
  };
}

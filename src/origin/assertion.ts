/**
 * @module
 * `X-NearIQ-Auth-Assertion`: a short-lived JWT that binds the caller's identity to this one
 * request (CONTRACT §5), so that an origin can trust what we forward.
 */
import { SignJWT } from "jose";
import type { SigningKey } from "./signing-key";

export const ASSERTION_ISSUER = "neariq-edge";
/** Lifetime of an assertion; the contract allows at most 120 s. */
export const ASSERTION_TTL_SECONDS = 60;

export interface AssertionClaims {
  readonly aud: string;
  readonly sub: string;
  readonly key_id: string;
  readonly scope: string;
  readonly plan: string;
  readonly jti: string;
  readonly htm: string;
  readonly htu: string;
}

/**
 * Signs `claims` with `iss`, `iat` and `exp` added.
 *
 * @example
 * await signAssertion(key, { aud, sub: "acme", key_id, scope, plan, jti: requestId, htm: "GET", htu: "/v1/usage" })
 */
export function signAssertion(signingKey: SigningKey, claims: AssertionClaims): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims, iss: ASSERTION_ISSUER, iat, exp: iat + ASSERTION_TTL_SECONDS })
    .setProtectedHeader({ alg: signingKey.alg, kid: signingKey.kid, typ: "JWT" })
    .sign(signingKey.key);
}

/**
 * @module
 * `X-NearIQ-Auth-Assertion`: a short-lived JWT that binds the caller's identity to this one
 * request (docs/api.md#for-origin-teams-what-the-origin-receives), so that an origin can trust what we forward. Signed with WebCrypto
 * directly: the protected header is encoded once per key, and WebCrypto's ECDSA signature is
 * already the raw `r ‖ s` that JWS wants (RFC 7518 §3.4), Ed25519's the raw 64 bytes (RFC 8037).
 */
import { base64urlFromBytes, base64urlFromText } from "./base64url";
import type { SigningKey } from "./signing-key";

export const ASSERTION_ISSUER = "neariq-edge";
/** Lifetime of an assertion; docs/api.md allows at most 120 s. */
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
  /** `live` or `test` (docs/test-keys.md). */
  readonly mode: string;
}

const ascii = new TextEncoder();

/**
 * Signs `claims` with `iss`, `iat` and `exp` added.
 *
 * @example
 * await signAssertion(key, { aud, sub: "acme", key_id, scope, plan, jti: requestId, htm: "GET", htu: "/v1/usage" })
 */
export async function signAssertion(signingKey: SigningKey, claims: AssertionClaims): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  const payload = { ...claims, iss: ASSERTION_ISSUER, iat, exp: iat + ASSERTION_TTL_SECONDS };
  const signingInput = `${signingKey.protectedHeader}.${base64urlFromText(JSON.stringify(payload))}`;
  const signature = await crypto.subtle.sign(signingKey.signParams, signingKey.key, ascii.encode(signingInput));
  return `${signingInput}.${base64urlFromBytes(new Uint8Array(signature))}`;
}

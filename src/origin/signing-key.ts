/**
 * @module
 * The assertion signing key (`ASSERTION_PRIVATE_JWK`), imported once per isolate, and the public
 * JWKs published at `/.well-known/jwks.json`.
 */
import { importJWK, type JWK } from "jose";
import { base64urlFromText } from "./base64url";

export type AssertionAlg = "ES256" | "EdDSA";

export interface SigningKey {
  readonly alg: AssertionAlg;
  readonly kid: string;
  readonly key: CryptoKey;
  /** The JWS protected header `{"alg","kid","typ":"JWT"}`, base64url-encoded once. */
  readonly protectedHeader: string;
  /** The WebCrypto parameters that sign with `key` as `alg` says. */
  readonly signParams: SubtleCryptoSignAlgorithm;
  /** Public members only: never `d`. */
  readonly publicJwk: JWK;
}

function algorithmOf(jwk: JWK): AssertionAlg | null {
  if (jwk.kty === "EC" && jwk.crv === "P-256") return "ES256";
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return "EdDSA";
  return null;
}

function parseJwk(raw: string | undefined): JWK | null {
  if (!raw) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as JWK) : null;
  } catch {
    return null;
  }
}

/** A public JWK built member by member from `jwk`, so that no private member can slip through. */
function publicMembers(jwk: JWK, alg: AssertionAlg, kid: string): JWK {
  const pub: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  if (jwk.y !== undefined) pub.y = jwk.y;
  return { ...pub, kid, alg, use: "sig" };
}

async function importSigningKey(raw: string | undefined): Promise<SigningKey | null> {
  const jwk = parseJwk(raw);
  if (!jwk) return null;
  const alg = algorithmOf(jwk);
  const kid = jwk.kid;
  if (!alg || typeof kid !== "string" || kid === "" || typeof jwk.d !== "string") return null;
  if (jwk.alg !== undefined && jwk.alg !== alg && !(alg === "EdDSA" && jwk.alg === "Ed25519")) return null;
  try {
    const key = await importJWK({ ...jwk, alg }, alg);
    if (!(key instanceof CryptoKey) || key.type !== "private") return null;
    return {
      alg,
      kid,
      key,
      protectedHeader: base64urlFromText(JSON.stringify({ alg, kid, typ: "JWT" })),
      signParams: alg === "ES256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "Ed25519" },
      publicJwk: publicMembers(jwk, alg, kid),
    };
  } catch {
    return null;
  }
}

// The imported key, never the import's promise: a request must not await a promise that another
// request's work settles (workerd cancels it as hung). Requests that arrive before the first
// import has finished each import for themselves; the result is the same.
let imported: { raw: string | undefined; key: SigningKey | null } | undefined;

/**
 * The signing key for `raw`, or `null` when it is missing or unusable (docs/api.md#the-decision-table: usable means
 * it imports as an ES256 or EdDSA private key and has a `kid`). Imported once per isolate.
 *
 * @example
 * const key = await loadSigningKey(env.ASSERTION_PRIVATE_JWK);
 * if (!key) throw new ProblemError("misconfigured", "…");
 */
export async function loadSigningKey(raw: string | undefined): Promise<SigningKey | null> {
  if (imported && imported.raw === raw) return imported.key;
  const key = await importSigningKey(raw);
  imported = { raw, key };
  return key;
}

/** The previous key's public JWK for the JWKS during a rotation; `null` when unset or unusable. */
export function previousPublicJwk(raw: string | undefined): JWK | null {
  const jwk = parseJwk(raw);
  if (!jwk) return null;
  const alg = algorithmOf(jwk);
  if (!alg || typeof jwk.kid !== "string" || jwk.kid === "" || typeof jwk.x !== "string") return null;
  return publicMembers(jwk, alg, jwk.kid);
}

/** The JWK Set published at `/.well-known/jwks.json`: the current key, then the previous one. */
export function jwksFor(current: SigningKey, previousRaw: string | undefined): { keys: JWK[] } {
  const previous = previousPublicJwk(previousRaw);
  const keys = [current.publicJwk];
  if (previous && previous.kid !== current.kid) keys.push(previous);
  return { keys };
}

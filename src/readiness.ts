/**
 * @module
 * Whether the edge may serve `/v1` at all: it needs a usable `ORIGIN_URL` and signing key, or it
 * answers 503 `misconfigured` and forwards nothing (never unsigned). The values are never echoed.
 */
import type { Bindings, EdgeConfig } from "./env";
import { ProblemError } from "./http/problem";
import { loadSigningKey, type SigningKey } from "./origin/signing-key";

export interface Ready {
  readonly originUrl: URL;
  readonly audience: string;
  readonly signingKey: SigningKey;
}

/**
 * The signing key, or 503 `misconfigured`. The JWKS needs nothing else (docs/api.md#our-choices-where-the-rules-are-silent): origins can
 * fetch the keys even while `ORIGIN_URL` is unusable.
 *
 * @example
 * const signingKey = await requireSigningKey(c.env);
 */
export async function requireSigningKey(env: Bindings): Promise<SigningKey> {
  const signingKey = await loadSigningKey(env.ASSERTION_PRIVATE_JWK);
  if (!signingKey) {
    throw new ProblemError(
      "misconfigured",
      "ASSERTION_PRIVATE_JWK is missing or not a usable ES256/EdDSA private JWK with a kid.",
    );
  }
  return signingKey;
}

/**
 * Where a test key's request goes (docs/test-keys.md): the sandbox origin, with its own `aud`; 503
 * `test_mode_unavailable` when `ORIGIN_TEST_URL` is unset or unusable (live traffic is untouched).
 */
export function requireTestOrigin(config: EdgeConfig): { originUrl: URL; audience: string } {
  if (!config.originTestUrl) {
    throw new ProblemError(
      "test_mode_unavailable",
      "Test keys cannot be served here: this deployment has no sandbox origin (ORIGIN_TEST_URL).",
    );
  }
  return { originUrl: config.originTestUrl, audience: config.originTestUrl.origin };
}

/**
 * The live origin, its `aud` and the signing key, or 503 `misconfigured`: nothing under `/v1` is
 * served, and nothing is forwarded unsigned, without them.
 *
 * @example
 * const { originUrl, signingKey } = await requireReady(env, state.config);
 */
export async function requireReady(env: Bindings, config: EdgeConfig): Promise<Ready> {
  if (!config.originUrl || !config.audience) {
    // The signing key is checked first, so that a missing key is reported whatever ORIGIN_URL is.
    await requireSigningKey(env);
    throw new ProblemError("misconfigured", "ORIGIN_URL is missing or not an absolute http(s) URL.");
  }
  const signingKey = await requireSigningKey(env);
  return { originUrl: config.originUrl, audience: config.audience, signingKey };
}

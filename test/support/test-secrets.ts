/**
 * Fresh secrets for each test run (never committed): an admin token and ES256 signing keys.
 */
import { randomBytes, webcrypto } from "node:crypto";

export async function generateSigningJwk(kid: string, alg: "ES256" | "EdDSA" = "ES256") {
  const algorithm = alg === "ES256" ? { name: "ECDSA", namedCurve: "P-256" } : { name: "Ed25519" };
  const pair = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const jwk = await webcrypto.subtle.exportKey("jwk", pair.privateKey);
  return { ...jwk, kid, alg };
}

export async function testSecrets() {
  return {
    ADMIN_TOKEN: randomBytes(32).toString("base64url"),
    ASSERTION_PRIVATE_JWK: JSON.stringify(await generateSigningJwk("test-current")),
    /** Signs webhook deliveries; the tests verify them with the standardwebhooks package. */
    EVENTS_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString("base64")}`,
    /** A second key, for rotation tests: its private half stays with the tests. */
    TEST_PREVIOUS_PRIVATE_JWK: JSON.stringify(await generateSigningJwk("test-previous")),
  };
}

/**
 * Helpers the benchmark bundles with esbuild and runs on Node: key generation, and the CPU cost of the auth decision without I/O: key form check, SHA-256, route policy and
 * authorization, header hygiene and assertion signing. Bundled by bench/run.mjs and run on Node,
 * since workerd's clocks do not advance during computation (a Spectre mitigation).
 */
import { authorize } from "../src/auth/authorize";
import { refuseKeyInUrl } from "../src/auth/key-in-url";
import { type PLANS, SCOPES } from "../src/auth/policy";
import { generateKey, isWellFormedKey, keyLikePattern } from "../src/keys/format";
import { sha256Hex } from "../src/keys/hash";
import { signAssertion } from "../src/origin/assertion";
import { assertionClaims, claimHeaders } from "../src/origin/claims";
import { originHeaders } from "../src/origin/headers";
import { loadSigningKey } from "../src/origin/signing-key";

export async function measureAuthCpu(privateJwk: string, iterations: number) {
  const signingKey = await loadSigningKey(privateJwk);
  if (!signingKey) throw new Error("bench: unusable signing key");
  const prefix = "niq_live_";
  const pattern = keyLikePattern(prefix);
  const key = generateKey(prefix);
  const principal = {
    accountId: "acme",
    plan: "pro" as keyof typeof PLANS,
    key: {
      id: "key_bench",
      name: null,
      scopes: [...SCOPES],
      hint: "niq_live_…abcd",
      createdAt: 0,
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
    },
  };
  const incoming = new Headers({ "X-NearIQ-Key": key, Accept: "application/json", "User-Agent": "bench" });
  const url = new URL("http://edge/v1/competitors/c_1?city=austin");
  const run = async (withSigning: boolean) => {
    if (!isWellFormedKey(key, prefix)) throw new Error("bad key");
    refuseKeyInUrl(url, pattern);
    await sha256Hex(key);
    authorize("GET", url.pathname, principal);
    const claims = assertionClaims(principal, "req-1", "GET", url, "http://origin");
    const assertion = withSigning ? await signAssertion(signingKey, claims) : "unsigned";
    originHeaders(incoming, pattern, claimHeaders(principal, "req-1", assertion));
  };
  const time = async (withSigning: boolean) => {
    for (let i = 0; i < 200; i++) await run(withSigning);
    const started = process.cpuUsage();
    for (let i = 0; i < iterations; i++) await run(withSigning);
    const used = process.cpuUsage(started);
    return (used.user + used.system) / iterations / 1000;
  };
  return { withoutSigningMs: await time(false), totalMs: await time(true) };
}

export { generateKey };

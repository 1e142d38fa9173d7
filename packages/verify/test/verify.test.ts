/**
 * @neariq/edge-verify on Node: the checks an origin relies on, against assertions signed here
 * exactly as the edge signs them (the workerd tests verify what the real edge forwards).
 */
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { AssertionError, createVerifier } from "../src/index";

const AUDIENCE = "https://api.internal.example";

async function edgeKeys() {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "EdDSA", use: "sig" };
  return { privateKey, keys: { keys: [jwk] } };
}

async function assertion(privateKey: CryptoKey, overrides: Record<string, unknown> = {}) {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: "neariq-edge",
    aud: AUDIENCE,
    sub: "acme",
    key_id: "key_1",
    scope: "competitors:read usage:read",
    plan: "pro",
    jti: "req-1",
    htm: "GET",
    htu: "/v1/competitors?city=austin",
    iat,
    exp: iat + 60,
    ...overrides,
  })
    .setProtectedHeader({ alg: "EdDSA", kid: "k1", typ: "JWT" })
    .sign(privateKey);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "accepted";
  } catch (error) {
    return error instanceof AssertionError ? error.code : `unexpected: ${String(error)}`;
  }
}

describe("createVerifier (Node)", () => {
  it("accepts the edge's assertion for exactly its method, path and query, and returns its claims", async () => {
    const { privateKey, keys } = await edgeKeys();
    const verify = createVerifier({ keys, audience: AUDIENCE });
    const token = await assertion(privateKey);
    const claims = await verify({
      method: "GET",
      url: "/v1/competitors?city=austin",
      headers: { "x-neariq-auth-assertion": token },
    });
    expect(claims).toMatchObject({
      sub: "acme",
      key_id: "key_1",
      plan: "pro",
      scopes: ["competitors:read", "usage:read"],
    });
  });

  it("refuses a missing, tampered, foreign, expired or replayed assertion with its own code", async () => {
    const { privateKey, keys } = await edgeKeys();
    const other = await edgeKeys();
    const verify = createVerifier({ keys, audience: AUDIENCE });
    const request = (token: string | null, method = "GET", url = "/v1/competitors?city=austin") => ({
      method,
      url,
      headers: token === null ? {} : { "x-neariq-auth-assertion": token },
    });
    const good = await assertion(privateKey);
    expect(await codeOf(verify(request(null)))).toBe("missing_assertion");
    expect(await codeOf(verify(request(`${good.slice(0, -4)}AAAA`)))).toBe("invalid_assertion");
    expect(await codeOf(verify(request(await assertion(other.privateKey))))).toBe("invalid_assertion");
    expect(await codeOf(verify(request(await assertion(privateKey, { aud: "https://elsewhere" }))))).toBe(
      "invalid_assertion",
    );
    const past = Math.floor(Date.now() / 1000) - 600;
    expect(await codeOf(verify(request(await assertion(privateKey, { iat: past, exp: past + 60 }))))).toBe(
      "expired_assertion",
    );
    expect(await codeOf(verify(request(good, "POST")))).toBe("request_mismatch");
    expect(await codeOf(verify(request(good, "GET", "/v1/competitors?city=boston")))).toBe("request_mismatch");
  });

  it("refuses the wrong mode: a live origin (the default) refuses test assertions; a sandbox, live ones", async () => {
    const { privateKey, keys } = await edgeKeys();
    const request = (token: string) => ({
      method: "GET",
      url: "/v1/competitors?city=austin",
      headers: { "x-neariq-auth-assertion": token },
    });
    const live = await assertion(privateKey, { mode: "live" });
    const test = await assertion(privateKey, { mode: "test" });
    const older = await assertion(privateKey); // an edge before test keys: no mode claim
    const liveOrigin = createVerifier({ keys, audience: AUDIENCE });
    const sandbox = createVerifier({ keys, audience: AUDIENCE, mode: "test" });
    expect(await codeOf(liveOrigin(request(test)))).toBe("wrong_mode");
    expect(await codeOf(sandbox(request(live)))).toBe("wrong_mode");
    expect(await codeOf(sandbox(request(older)))).toBe("wrong_mode");
    expect((await liveOrigin(request(live))).mode).toBe("live");
    expect((await liveOrigin(request(older))).mode).toBe("live");
    expect((await sandbox(request(test))).mode).toBe("test");
    expect(await codeOf(liveOrigin(request(await assertion(privateKey, { mode: "staging" }))))).toBe(
      "invalid_assertion",
    );
  });

  it("needs a key source and an audience", () => {
    expect(() => createVerifier({ audience: AUDIENCE })).toThrow(TypeError);
    expect(() => createVerifier({ keys: { keys: [] }, audience: "" })).toThrow(TypeError);
  });
});

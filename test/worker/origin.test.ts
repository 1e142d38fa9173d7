/**
 * What the origin receives (docs/api.md#for-origin-teams-what-the-origin-receives): the claim
 * headers, the signed assertion bound to the request, the body streamed and redirects handed back.
 */
import { createVerifier } from "@neariq/edge-verify";
import { decodeProtectedHeader, importJWK, type JWK, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { ReceivedRequest } from "../support/origin-contract";
import {
  EDGE,
  edge,
  newAccountWithKey,
  ORIGIN,
  PREVIOUS_SIGNING_JWK,
  problemOf,
  received,
  SIGNING_JWK,
  tag,
  withKey,
} from "./helpers";
import { callWith } from "./support-calls";

function publicOf(privateJwk: string): JWK {
  const { d: _d, key_ops: _ops, ...pub } = JSON.parse(privateJwk) as JWK;
  return pub;
}

async function jwks(overrides: Record<string, unknown> = {}): Promise<{ keys: JWK[] }> {
  const res = await callWith(new Request(`${EDGE}/.well-known/jwks.json`), overrides);
  expect(res.status).toBe(200);
  return res.json();
}

/** A request as the origin received it, in the shape the verifier takes. */
function asRequest(r: ReceivedRequest, changes: { method?: string; url?: string } = {}) {
  return { method: changes.method ?? r.method, url: changes.url ?? r.url, headers: r.headers };
}

async function forwarded(path: string, init: RequestInit = {}): Promise<{ res: Response; got: ReceivedRequest }> {
  const { key } = await newAccountWithKey("agency", { scopes: ["competitors:read", "competitors:write"] });
  const res = await withKey(key, path, init);
  const marker = new URL(path, EDGE).searchParams.get("t") ?? "";
  const got = await received(marker);
  expect(got.length).toBe(1);
  return { res, got: got[0] as ReceivedRequest };
}

describe("header hygiene (docs/api.md#for-origin-teams-what-the-origin-receives)", () => {
  it("never lets client-sent claims, assertions, method overrides or credentials reach the origin", async () => {
    const { key, accountId, id } = await newAccountWithKey("pro", { scopes: ["competitors:write", "usage:read"] });
    const t = tag();
    const res = await withKey(key, `/v1/competitors?t=${t}`, {
      method: "POST",
      body: "{}",
      headers: {
        "X-NearIQ-Account-Id": "victim",
        "X-NearIQ-Key-Id": "key_victim",
        "X-NearIQ-Scopes": "payments:write",
        "x-neariq-plan": "agency",
        "X-NearIQ-Auth-Assertion": "forged.jwt.value",
        "X-NearIQ-Request-Id": "client-chosen",
        "X-NearIQ-Anything": "x",
        "X-HTTP-Method-Override": "DELETE",
        "X-HTTP-Method": "DELETE",
        "X-Method-Override": "DELETE",
        Authorization: `Bearer ${key}`,
        "X-Api-Key": key,
        "X-Custom": "kept",
        Connection: "close, x-drop-me",
        "X-Drop-Me": "hop",
      },
    });
    expect(res.status).toBe(200);
    const [got] = await received(t);
    if (!got) throw new Error("not forwarded");
    const h = got.headers;
    expect(h["x-neariq-account-id"]).toBe(accountId);
    expect(h["x-neariq-key-id"]).toBe(id);
    expect(h["x-neariq-scopes"]).toBe("competitors:write usage:read");
    expect(h["x-neariq-plan"]).toBe("pro");
    expect(h["x-neariq-request-id"]).toBe(res.headers.get("x-neariq-request-id"));
    expect(h["x-neariq-auth-assertion"]).not.toBe("forged.jwt.value");
    expect(h["x-neariq-anything"]).toBeUndefined();
    expect(h["x-neariq-key"]).toBeUndefined();
    for (const name of [
      "x-http-method-override",
      "x-http-method",
      "x-method-override",
      "authorization",
      "x-api-key",
      "x-drop-me",
    ]) {
      expect(h[name], name).toBeUndefined();
    }
    expect(h["x-custom"]).toBe("kept");
    expect(got.method).toBe("POST");
    expect(JSON.stringify(got)).not.toContain(key.slice(9));
  });

  it("hands the origin's answer back unchanged, with our X-NearIQ-Request-Id", async () => {
    const t = tag();
    const { res } = await forwarded(`/v1/competitors?t=${t}`);
    expect(res.headers.get("x-origin")).toBe("yes");
    expect(res.headers.get("x-neariq-request-id")).not.toBe("origin-chose-this");
    expect(res.headers.get("x-neariq-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("returns an origin redirect as it is, without following it", async () => {
    const t = tag();
    const { res } = await forwarded(`/v1/competitors?t=${t}&behave=redirect`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://example.com/elsewhere");
  });

  it("streams a body of several megabytes to the origin byte for byte", async () => {
    const size = 6 * 1024 * 1024 + 7;
    const body = new Uint8Array(size);
    for (let i = 0; i < size; i += 65_536) crypto.getRandomValues(body.subarray(i, Math.min(size, i + 65_536)));
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
    const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
    const t = tag();
    const { res, got } = await forwarded(`/v1/competitors?t=${t}`, { method: "POST", body });
    expect(res.status).toBe(200);
    expect(got.bodyBytes).toBe(size);
    expect(got.bodySha256).toBe(hex);
  });
});

describe("the signed assertion (docs/api.md#for-origin-teams-what-the-origin-receives)", () => {
  it("carries the documented claims and verifies against the published JWKS and with plain jose", async () => {
    const t = tag();
    const { res, got } = await forwarded(`/v1/competitors/c1?t=${t}&x=%20y`);
    const token = got.headers["x-neariq-auth-assertion"] as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "ES256", kid: "test-current" });
    const published = await jwks();
    for (const key of published.keys) expect(key).not.toHaveProperty("d");
    const verify = createVerifier({ keys: published, audience: ORIGIN });
    const claims = await verify(asRequest(got));
    expect(claims).toMatchObject({
      iss: "neariq-edge",
      aud: ORIGIN,
      sub: got.headers["x-neariq-account-id"],
      key_id: got.headers["x-neariq-key-id"],
      scope: "competitors:read competitors:write",
      plan: "agency",
      jti: res.headers.get("x-neariq-request-id"),
      htm: "GET",
      htu: `/v1/competitors/c1?t=${t}&x=%20y`,
    });
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(120);
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
    const independent = await jwtVerify(token, await importJWK(publicOf(SIGNING_JWK), "ES256"), {
      issuer: "neariq-edge",
      audience: ORIGIN,
    });
    expect(independent.payload.htu).toBe(`/v1/competitors/c1?t=${t}&x=%20y`);
  });

  it("is refused by the verifier when replayed for another path or method, tampered, for another audience, or expired", async () => {
    const t = tag();
    const { got } = await forwarded(`/v1/competitors?t=${t}`);
    const published = await jwks();
    const verify = createVerifier({ keys: published, audience: ORIGIN });
    await expect(verify(asRequest(got, { url: `/v1/competitors/other?t=${t}` }))).rejects.toMatchObject({
      code: "request_mismatch",
    });
    await expect(verify(asRequest(got, { method: "POST" }))).rejects.toMatchObject({ code: "request_mismatch" });
    const token = got.headers["x-neariq-auth-assertion"] as string;
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/")));
    const forged = btoa(JSON.stringify({ ...claims, plan: "agency", sub: "victim" }))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replaceAll("=", "");
    const tampered = { ...got.headers, "x-neariq-auth-assertion": `${header}.${forged}.${signature}` };
    await expect(verify({ ...asRequest(got), headers: tampered })).rejects.toMatchObject({ code: "invalid_assertion" });
    const otherAudience = createVerifier({ keys: published, audience: "https://someone-else.example" });
    await expect(otherAudience(asRequest(got))).rejects.toMatchObject({ code: "invalid_assertion" });
    const privateKey = await importJWK(JSON.parse(SIGNING_JWK) as JWK, "ES256");
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ ...claims, iat: now - 600, exp: now - 540 })
      .setProtectedHeader({ alg: "ES256", kid: "test-current" })
      .sign(privateKey);
    const expiredHeaders = { ...got.headers, "x-neariq-auth-assertion": expired };
    await expect(verify({ ...asRequest(got), headers: expiredHeaders })).rejects.toMatchObject({
      code: "expired_assertion",
    });
    await expect(verify({ ...asRequest(got), headers: {} })).rejects.toMatchObject({ code: "missing_assertion" });
  });

  it("signs with EdDSA when the key is Ed25519", async () => {
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const jwk = { ...((await crypto.subtle.exportKey("jwk", pair.privateKey)) as JWK), kid: "ed-1" };
    const { key } = await newAccountWithKey();
    const t = tag();
    const res = await callWith(new Request(`${EDGE}/v1/competitors?t=${t}`, { headers: { "X-NearIQ-Key": key } }), {
      ASSERTION_PRIVATE_JWK: JSON.stringify(jwk),
    });
    expect(res.status).toBe(200);
    const [got] = await received(t);
    if (!got) throw new Error("not forwarded");
    const token = got.headers["x-neariq-auth-assertion"] as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "EdDSA", kid: "ed-1" });
    const published = await jwks({ ASSERTION_PRIVATE_JWK: JSON.stringify(jwk) });
    expect(published.keys).toEqual([{ kty: "OKP", crv: "Ed25519", x: jwk.x, kid: "ed-1", alg: "EdDSA", use: "sig" }]);
    await expect(createVerifier({ keys: published, audience: ORIGIN })(asRequest(got))).resolves.toMatchObject({
      htm: "GET",
    });
  });

  it("rotates without refusing anything: both keys verify while the previous one is published", async () => {
    const previousPrivate = PREVIOUS_SIGNING_JWK;
    const { key } = await newAccountWithKey();
    // Before the rotation, the edge signed with what is now the previous key.
    const t = tag();
    const before = await callWith(new Request(`${EDGE}/v1/competitors?t=${t}`, { headers: { "X-NearIQ-Key": key } }), {
      ASSERTION_PRIVATE_JWK: previousPrivate,
    });
    expect(before.status).toBe(200);
    const [old] = await received(t);
    if (!old) throw new Error("not forwarded");
    const rotated = { ASSERTION_PREVIOUS_PUBLIC_JWK: JSON.stringify(publicOf(previousPrivate)) };
    const during = await jwks(rotated);
    expect(during.keys.map((k) => k.kid)).toEqual(["test-current", "test-previous"]);
    for (const k of during.keys) expect(k).not.toHaveProperty("d");
    const t2 = tag();
    await callWith(new Request(`${EDGE}/v1/competitors?t=${t2}`, { headers: { "X-NearIQ-Key": key } }), rotated);
    const [fresh] = await received(t2);
    if (!fresh) throw new Error("not forwarded");
    const verifyDuring = createVerifier({ keys: during, audience: ORIGIN });
    await expect(verifyDuring(asRequest(old))).resolves.toMatchObject({ htm: "GET" });
    await expect(verifyDuring(asRequest(fresh))).resolves.toMatchObject({ htm: "GET" });
    const after = await jwks();
    expect(after.keys.map((k) => k.kid)).toEqual(["test-current"]);
    await expect(createVerifier({ keys: after, audience: ORIGIN })(asRequest(old))).rejects.toMatchObject({
      code: "invalid_assertion",
    });
  });

  it("never publishes a private member, even if the previous key was given with one", async () => {
    const published = await jwks({ ASSERTION_PREVIOUS_PUBLIC_JWK: PREVIOUS_SIGNING_JWK });
    expect(published.keys).toHaveLength(2);
    expect(JSON.stringify(published)).not.toContain('"d"');
  });
});

describe("origin failures", () => {
  it("answers 502 origin_unavailable when the origin cannot be reached", async () => {
    const { key } = await newAccountWithKey();
    const res = await callWith(new Request(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": key } }), {
      ORIGIN_URL: "http://127.0.0.1:9",
    });
    expect(res.status).toBe(502);
    expect((await problemOf(res)).code).toBe("origin_unavailable");
  });

  it("answers 504 origin_timeout when the origin is slower than ORIGIN_TIMEOUT_MS", async () => {
    const { key } = await newAccountWithKey();
    const t = tag();
    const started = Date.now();
    const res = await callWith(
      new Request(`${EDGE}/v1/competitors?t=${t}&behave=stall&ms=3000`, { headers: { "X-NearIQ-Key": key } }),
      { ORIGIN_TIMEOUT_MS: "200" },
    );
    expect(res.status).toBe(504);
    expect((await problemOf(res)).code).toBe("origin_timeout");
    expect(Date.now() - started).toBeLessThan(2500);
  });
});

describe("misconfiguration fails closed (503 misconfigured)", () => {
  const brokenJwks: [string, string | undefined][] = [
    ["unset", undefined],
    ["not JSON", "{nope"],
    ["public only", JSON.stringify(publicOfSafe())],
    ["no kid", JSON.stringify({ ...JSON.parse(SIGNING_JWK), kid: undefined })],
    ["RSA", JSON.stringify({ kty: "RSA", n: "AQAB", e: "AQAB", d: "AQAB", kid: "r" })],
    ["wrong curve", JSON.stringify({ ...JSON.parse(SIGNING_JWK), crv: "P-384" })],
    ["garbage d", JSON.stringify({ ...JSON.parse(SIGNING_JWK), d: "AAAA" })],
  ];
  function publicOfSafe(): JWK {
    const { d: _d, ...pub } = JSON.parse(SIGNING_JWK) as JWK;
    return pub;
  }

  it("for a missing or unusable signing key, on /v1, /healthz and the JWKS, forwarding nothing", async () => {
    const { key } = await newAccountWithKey();
    for (const [label, value] of brokenJwks) {
      const t = tag();
      for (const path of [`/v1/competitors?t=${t}`, "/healthz", "/.well-known/jwks.json"]) {
        const res = await callWith(new Request(EDGE + path, { headers: { "X-NearIQ-Key": key } }), {
          ASSERTION_PRIVATE_JWK: value,
        });
        expect(res.status, `${label} ${path}`).toBe(503);
        const problem = await problemOf(res);
        expect(problem.code).toBe("misconfigured");
        // The value is never echoed ("unset" has none: its stand-in cannot appear either).
        expect(JSON.stringify(problem)).not.toContain((value ?? "\u0000unset").slice(0, 20));
      }
      expect(await received(t)).toEqual([]);
    }
  });

  it("for a missing or unusable ORIGIN_URL; the JWKS still answers 200 (docs/api.md#our-choices-where-the-rules-are-silent)", async () => {
    const { key } = await newAccountWithKey();
    const healthy = (await (await edge("/.well-known/jwks.json")).json()) as { keys: JWK[] };
    for (const value of [undefined, "", "not a url", "ftp://127.0.0.1/", "/relative"]) {
      for (const path of ["/v1/competitors", "/healthz"]) {
        const res = await callWith(new Request(EDGE + path, { headers: { "X-NearIQ-Key": key } }), {
          ORIGIN_URL: value,
        });
        expect(res.status, `${value} ${path}`).toBe(503);
        expect((await problemOf(res)).code).toBe("misconfigured");
      }
      const keys = await callWith(new Request(`${EDGE}/.well-known/jwks.json`), { ORIGIN_URL: value });
      expect(keys.status, `${value} jwks`).toBe(200);
      expect(await keys.json()).toEqual(healthy);
    }
  });

  it("comes before every other check on /v1", async () => {
    const res = await callWith(new Request(`${EDGE}/v1/competitors?k=niq_live_${"a".repeat(40)}`), {
      ASSERTION_PRIVATE_JWK: undefined,
    });
    expect((await problemOf(res)).code).toBe("misconfigured");
    expect((await edge("/healthz")).status).toBe(200);
  });
});

/**
 * Authentication (docs/api.md#the-decision-table rows 1–5): what each refusal answers, and what
 * it costs in KV reads.
 */
import { describe, expect, it } from "vitest";
import { generateKey } from "../../src/keys/format";
import { EDGE, edge, newAccountWithKey, problemOf, received, sleep, tag, withKey } from "./helpers";
import { callWith, countedBindings } from "./support-calls";

const CHALLENGE = 'NearIQ-Key realm="NearIQ API"';

async function expect401(res: Response, code: string) {
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toBe(CHALLENGE);
  const problem = await problemOf(res);
  expect(problem.code).toBe(code);
  return problem;
}

describe("authentication (docs/api.md#the-decision-table rows 1–5)", () => {
  it("refuses a key in the URL with 400 key_in_url, before anything else", async () => {
    const { key } = await newAccountWithKey();
    const t = tag();
    const lookalike = `niq_live_${"A".repeat(32)}`;
    const urls = [
      `/v1/competitors?t=${t}&api_key=${key}`,
      `/v1/competitors?t=${t}&${key}=1`,
      `/v1/competitors?t=${t}&k=${encodeURIComponent(key)}`,
      `/v1/competitors?t=${t}&k=%6Eiq_live_${key.slice(9)}`,
      `/v1/competitors?t=${t}&k=x${lookalike}y`,
      `/v1/competitors/${key}?t=${t}`,
    ];
    for (const url of urls) {
      for (const headers of [{}, { "X-NearIQ-Key": key }] as HeadersInit[]) {
        const res = await edge(url, { headers });
        expect(res.status, url).toBe(400);
        const problem = await problemOf(res);
        expect(problem.code).toBe("key_in_url");
        expect(JSON.stringify(problem)).not.toContain(key);
      }
    }
    // Case-sensitive, and 31 characters are not a key.
    const fine = await edge(`/v1/competitors?t=${t}&k=NIQ_LIVE_${"A".repeat(32)}&j=niq_live_${"A".repeat(31)}`, {
      headers: { "X-NearIQ-Key": key },
    });
    expect(fine.status).toBe(200);
    expect((await received(t)).length).toBe(1);
  });

  it("answers 401 missing_key without a key, and says so when the key came in Authorization", async () => {
    const { key } = await newAccountWithKey();
    const t = tag();
    const plain = await expect401(await edge(`/v1/competitors?t=${t}`), "missing_key");
    expect(plain.detail).toContain("X-NearIQ-Key");
    const empty = await edge(`/v1/competitors?t=${t}`, { headers: { "X-NearIQ-Key": "" } });
    await expect401(empty, "missing_key");
    const bearer = await expect401(
      await edge(`/v1/competitors?t=${t}`, { headers: { Authorization: `Bearer ${key}` } }),
      "missing_key",
    );
    expect(bearer.detail).toMatch(/Authorization/);
    expect(JSON.stringify(bearer)).not.toContain(key);
    expect(await received(t)).toEqual([]);
  });

  it("answers 401 invalid_key for malformed, over-long, multiple and unknown keys", async () => {
    const { key } = await newAccountWithKey();
    const t = tag();
    const bad = [
      key.slice(0, -1),
      `${key.slice(0, -1)}${key.endsWith("0") ? "1" : "0"}`,
      key.toUpperCase(),
      `niq_test_${key.slice(9)}`,
      "x".repeat(600),
      `${key}${"0".repeat(500)}`,
      generateKey("niq_live_"),
    ];
    for (const value of bad) {
      const res = await withKey(value, `/v1/competitors?t=${t}`);
      const problem = await expect401(res, "invalid_key");
      expect(JSON.stringify(problem)).not.toContain(value.slice(0, 40));
    }
    const headers = new Headers();
    headers.append("X-NearIQ-Key", key);
    headers.append("X-NearIQ-Key", key);
    await expect401(await edge(`/v1/competitors?t=${t}`, { headers }), "invalid_key");
    expect(await received(t)).toEqual([]);
  });

  it("refuses a malformed key without any KV read, and reads KV for a well-formed one", async () => {
    const t = tag();
    for (const value of ["niq_live_short", `niq_live_${"a".repeat(38)}`, "z".repeat(513)]) {
      const counted = countedBindings();
      const response = await callWith(
        new Request(`${EDGE}/v1/competitors?t=${t}`, { headers: { "X-NearIQ-Key": value } }),
        counted.bindings,
      );
      expect(response.status).toBe(401);
      expect((await problemOf(response)).code).toBe("invalid_key");
      expect(counted.kvReads).toBe(0);
    }
    const unknown = generateKey("niq_live_");
    const counted = countedBindings();
    const response = await callWith(
      new Request(`${EDGE}/v1/competitors?t=${t}`, { headers: { "X-NearIQ-Key": unknown } }),
      counted.bindings,
    );
    expect(response.status).toBe(401);
    expect(counted.kvReads).toBe(1);
  });

  it("answers 401 expired_key once a key is past expires_at", async () => {
    const expiresAt = new Date(Date.now() + 1500);
    const { key } = await newAccountWithKey("agency", { expires_at: expiresAt.toISOString() });
    const t = tag();
    expect((await withKey(key, `/v1/competitors?t=${t}`)).status).toBe(200);
    await sleep(expiresAt.getTime() - Date.now() + 50);
    await expect401(await withKey(key, `/v1/competitors?t=${t}&after`), "expired_key");
    expect((await received(t)).map((r) => r.query)).toEqual([`?t=${t}`]);
  });

  it("puts X-NearIQ-Request-Id on every response, equal to the error's request_id", async () => {
    for (const path of ["/healthz", "/nowhere", "/v1/competitors", "/_admin/x"]) {
      const res = await edge(path);
      expect(res.headers.get("x-neariq-request-id"), path).toMatch(/^[0-9a-f-]{36}$/);
      if (res.status >= 400) await problemOf(res);
    }
  });

  it("answers 404 unknown_route outside /v1, /_admin, /healthz and the JWKS", async () => {
    for (const path of ["/", "/v2/competitors", "/v1x", "/healthzz", "/.well-known/other"]) {
      const res = await edge(path);
      expect(res.status, path).toBe(404);
      expect((await problemOf(res)).code).toBe("unknown_route");
    }
  });
});

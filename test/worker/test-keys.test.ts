/**
 * Test keys (docs/test-keys.md): `niq_test_` keys that reach the sandbox origin (ORIGIN_TEST_URL)
 * only, with X-NearIQ-Mode and the `mode` claim, windows of their own, usage kept apart, and 503
 * test_mode_unavailable after rows 1–9 when there is no sandbox; live traffic untouched.
 */
import { importJWK, type JWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { checksum, generateKey } from "../../src/keys/format";
import { sha256Hex } from "../../src/keys/hash";
import { TEST_SANDBOX_PORT } from "../support/origin-contract";
import { newSigner, publish, report } from "./github-signer";
import {
  admin,
  inOneMinute,
  keyList,
  newAccount,
  newKey,
  ORIGIN,
  problemOf,
  received,
  registerCreatedKey,
  SIGNING_JWK,
  sleep,
  tag,
  withKey,
} from "./helpers";
import { callWith } from "./support-calls";

const SANDBOX = `http://127.0.0.1:${TEST_SANDBOX_PORT}`;

function publicOf(jwk: string): JWK {
  const { kty, crv, x, y } = JSON.parse(jwk) as JWK;
  return { kty, crv, x, y };
}

describe("creating test keys", () => {
  it("mode test: the test prefix, the same format and checksum; mode in the answer, the list, current and key.created", async () => {
    const accountId = await newAccount("pro");
    const created = await newKey(accountId, { mode: "test", name: "ci" });
    expect(created.key).toMatch(/^niq_test_[0-9A-Za-z]{38}$/);
    const body = created.key.slice("niq_test_".length);
    expect(body.slice(32)).toBe(checksum(body.slice(0, 32)));
    expect((created as unknown as { mode: string }).mode).toBe("test");
    expect((await keyList(accountId))[created.id]).toMatchObject({
      mode: "test",
      hint: `niq_test_\u2026${created.key.slice(-4)}`,
    });
    const live = await newKey(accountId);
    expect((live as unknown as { mode: string }).mode).toBe("live");
    const current = await withKey(created.key, "/v1/api-keys/current");
    expect(await current.json()).toMatchObject({
      id: created.id,
      mode: "test",
      limits: { per_minute: 60, per_day: 1000 },
    });
    const page = (await (await admin("GET", `/accounts/${accountId}/events?type=key.created`)).json()) as {
      events: { data: { id: string; mode: string } }[];
    };
    expect(page.events.map((e) => [e.data.id, e.data.mode])).toEqual([
      [created.id, "test"],
      [live.id, "live"],
    ]);
  });

  it("mode other than the strings live and test: 400 invalid_request", async () => {
    const accountId = await newAccount("pro");
    for (const mode of [null, "Test", "sandbox", 1, true]) {
      const res = await admin("POST", `/accounts/${accountId}/keys`, { mode });
      expect([res.status, (await problemOf(res)).code], JSON.stringify(mode)).toEqual([400, "invalid_request"]);
    }
  });

  it("a roll keeps the mode", async () => {
    const accountId = await newAccount("pro");
    const k = await newKey(accountId, { mode: "test" });
    const res = await admin("POST", `/accounts/${accountId}/keys/${k.id}/roll`, {});
    const rolled = (await res.json()) as { key: string; mode: string };
    await registerCreatedKey(rolled.key);
    expect([res.status, rolled.mode, rolled.key.startsWith("niq_test_")]).toEqual([201, "test", true]);
    expect((await withKey(rolled.key, "/v1/competitors")).status).toBe(200);
  });
});

describe("where test requests go", () => {
  it("a test key reaches the sandbox origin only, with X-NearIQ-Mode: test and the mode claim and the sandbox's aud", async () => {
    const accountId = await newAccount("pro");
    const test = await newKey(accountId, { mode: "test" });
    const live = await newKey(accountId);
    const t = tag();
    expect((await withKey(test.key, `/v1/competitors?t=${t}&k=test`)).status).toBe(200);
    expect((await withKey(live.key, `/v1/competitors?t=${t}&k=live`)).status).toBe(200);
    const got = await received(t);
    expect(got.map((r) => [r.query.split("&k=")[1], r.origin, r.headers["x-neariq-mode"]])).toEqual([
      ["test", "sandbox", "test"],
      ["live", "live", "live"],
    ]);
    const key = await importJWK(publicOf(SIGNING_JWK), "ES256");
    const testClaims = (
      await jwtVerify(got[0]?.headers["x-neariq-auth-assertion"] as string, key, { audience: SANDBOX })
    ).payload;
    const liveClaims = (
      await jwtVerify(got[1]?.headers["x-neariq-auth-assertion"] as string, key, { audience: ORIGIN })
    ).payload;
    expect([testClaims.mode, liveClaims.mode]).toEqual(["test", "live"]);
  });

  it("ORIGIN_TEST_URL unset or unusable: 503 test_mode_unavailable after rows 1–9, no RateLimit headers, nothing counted; live untouched", async () => {
    const accountId = await newAccount("pro");
    const test = await newKey(accountId, { mode: "test", scopes: ["usage:read", "competitors:read"] });
    const live = await newKey(accountId);
    for (const ORIGIN_TEST_URL of ["", "ftp://sandbox.example", "/relative"]) {
      const call = (key: string, path: string) =>
        callWith(new Request(`http://edge.test${path}`, { headers: { "X-NearIQ-Key": key } }), { ORIGIN_TEST_URL });
      // Rows 1–9 first: a scope the key lacks is still 403.
      const scope = await call(test.key, "/v1/alerts/a1/read");
      expect(scope.status).toBe(404); // POST route only: GET is unknown_route (row 7)
      const forbidden = await call(test.key, "/v1/export");
      expect([forbidden.status, (await problemOf(forbidden)).code]).toEqual([403, "insufficient_scope"]);
      const res = await call(test.key, "/v1/competitors");
      expect([res.status, (await problemOf(res)).code]).toEqual([503, "test_mode_unavailable"]);
      expect([res.headers.get("ratelimit"), res.headers.get("ratelimit-policy")]).toEqual([null, null]);
      expect((await call(live.key, "/v1/competitors")).status).toBe(200);
    }
    // Nothing counted against the test windows: the next test request sees all 60 left but one.
    const ok = await withKey(test.key, "/v1/competitors");
    expect(ok.headers.get("ratelimit")).toMatch(/^"test-minute";r=59;t=\d+, "test-day";r=999;t=\d+$/);
    await sleep(500);
    const usage = (await (await admin("GET", `/accounts/${accountId}/usage`)).json()) as {
      totals: {
        admitted: number;
        refused: Record<string, number>;
        test: { admitted: number; refused: Record<string, number> };
      };
    };
    expect(usage.totals.test).toEqual({ admitted: 1, refused: { unknown_route: 3, insufficient_scope: 3 } });
    expect(usage.totals.admitted).toBe(3);
  });
});

describe("windows of their own", () => {
  it("60 per minute and 1,000 per day whatever the plan or limits; test-minute and test-day; live windows untouched", async () => {
    const accountId = await newAccount("starter", { per_minute: 5, per_day: 7 });
    const test = await newKey(accountId, { mode: "test", rate_limit_per_minute: 100 });
    const live = await newKey(accountId);
    await inOneMinute();
    const first = await withKey(test.key, "/v1/competitors");
    expect(first.headers.get("ratelimit-policy")).toBe(
      '"key-minute";q=100;w=60, "test-minute";q=60;w=60, "test-day";q=1000;w=86400',
    );
    expect(first.headers.get("ratelimit")).toMatch(
      /^"key-minute";r=99;t=\d+, "test-minute";r=59;t=\d+, "test-day";r=999;t=\d+$/,
    );
    for (let i = 0; i < 9; i++) expect((await withKey(test.key, "/v1/competitors")).status).toBe(200);
    const liveAnswer = await withKey(live.key, "/v1/competitors");
    expect(liveAnswer.headers.get("ratelimit")).toMatch(/^"minute";r=4;t=\d+, "day";r=6;t=\d+$/);
    const current = (await (await withKey(live.key, "/v1/api-keys/current")).json()) as {
      limits: unknown;
      mode: string;
    };
    expect([current.mode, current.limits]).toEqual(["live", { per_minute: 5, per_day: 7 }]);
  }, 20_000); // inOneMinute may wait up to 10 s

  it("a full test minute answers 429 naming test-minute", async () => {
    const accountId = await newAccount("pro", { per_minute: null, per_day: null });
    const test = await newKey(accountId, { mode: "test" });
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 61; i++) {
      last = await withKey(test.key, "/v1/competitors");
      statuses.push(last.status);
    }
    expect(statuses.filter((s) => s === 200).length).toBe(60);
    const problem = await problemOf(last as Response);
    expect([problem.status, problem.policy, problem.limit]).toEqual([429, "test-minute", 60]);
  });
});

describe("keys in URLs and leak reports recognize test keys", () => {
  it("row 1 finds a test key in the query or the path", async () => {
    const t = tag();
    const someTestKey = generateKey("niq_test_");
    for (const path of [`/v1/competitors?t=${t}&k=${someTestKey}`, `/v1/competitors/${someTestKey}?t=${t}`]) {
      const res = await withKey(someTestKey, path);
      expect([res.status, (await problemOf(res)).code]).toEqual([400, "key_in_url"]);
    }
    expect(await received(t)).toEqual([]);
  });

  it("a leaked test key is revoked", async () => {
    const github = await newSigner(`gh_${tag()}`);
    await publish(github);
    const accountId = await newAccount("pro");
    const test = await newKey(accountId, { mode: "test" });
    const res = await report(github, JSON.stringify([{ token: test.key, type: "neariq_api_key" }]));
    expect(await res.json()).toEqual([
      { token_hash: await sha256Hex(test.key), token_type: "neariq_api_key", label: "true_positive" },
    ]);
    const after = await withKey(test.key, "/v1/competitors");
    expect([after.status, (await problemOf(after)).code]).toEqual([401, "revoked_key"]);
  });
});

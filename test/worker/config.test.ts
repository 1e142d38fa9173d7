/** Configuration of docs/configuration.md that changes behaviour: ADMIN_TOKEN, KEY_PREFIX, ASSERTION_AUDIENCE. */
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  EDGE,
  newAccount,
  newAccountWithKey,
  problemOf,
  received,
  registerCreatedKey,
  tag,
} from "./helpers";
import { callWith } from "./support-calls";

function adminRequest(path: string, init: RequestInit = {}, token = ADMIN_TOKEN): Request {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return new Request(`${EDGE}/_admin${path}`, { ...init, headers });
}

describe("ADMIN_TOKEN", () => {
  it("unset or under 32 characters: the admin API answers 503 admin_disabled", async () => {
    for (const token of [undefined, "", "x".repeat(31)]) {
      const res = await callWith(adminRequest("/accounts/acme", {}, token ?? "anything"), { ADMIN_TOKEN: token });
      expect(res.status, String(token)).toBe(503);
      expect((await problemOf(res)).code).toBe("admin_disabled");
    }
    const exact = "y".repeat(32);
    const res = await callWith(adminRequest(`/accounts/${tag()}`, {}, exact), { ADMIN_TOKEN: exact });
    expect(res.status).toBe(404);
  });

  it("an API key is refused with 403 even when the admin API is disabled", async () => {
    const res = await callWith(adminRequest("/accounts/acme", { headers: { "X-NearIQ-Key": "x" } }), {
      ADMIN_TOKEN: undefined,
    });
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe("key_management_forbidden");
  });
});

describe("KEY_PREFIX", () => {
  it("shapes new keys, and keys with another prefix are refused (also in URLs)", async () => {
    const prefix = { KEY_PREFIX: "niq_test_" };
    const accountId = await newAccount();
    const created = await callWith(adminRequest(`/accounts/${accountId}/keys`, { method: "POST" }), prefix);
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    await registerCreatedKey(key);
    expect(key).toMatch(/^niq_test_[0-9A-Za-z]{38}$/);
    const t = tag();
    const ok = await callWith(
      new Request(`${EDGE}/v1/competitors?t=${t}`, { headers: { "X-NearIQ-Key": key } }),
      prefix,
    );
    expect(ok.status).toBe(200);
    const live = await newAccountWithKey();
    const refused = await callWith(
      new Request(`${EDGE}/v1/competitors?t=${t}`, { headers: { "X-NearIQ-Key": live.key } }),
      prefix,
    );
    expect((await problemOf(refused)).code).toBe("invalid_key");
    const inUrl = await callWith(new Request(`${EDGE}/v1/competitors?t=${t}&k=${key}`), prefix);
    expect((await problemOf(inUrl)).code).toBe("key_in_url");
    expect((await received(t)).length).toBe(1);
  });
});

describe("ASSERTION_AUDIENCE", () => {
  it("sets aud; by default it is the origin of ORIGIN_URL", async () => {
    const { key } = await newAccountWithKey();
    const t = tag();
    await callWith(new Request(`${EDGE}/v1/competitors?t=${t}&a`, { headers: { "X-NearIQ-Key": key } }), {
      ASSERTION_AUDIENCE: "https://api.internal.example",
    });
    await callWith(new Request(`${EDGE}/v1/competitors?t=${t}&b`, { headers: { "X-NearIQ-Key": key } }), {});
    const got = await received(t);
    const audiences = got.map((r) => decodeJwt(r.headers["x-neariq-auth-assertion"] as string).aud);
    expect(audiences).toEqual(["https://api.internal.example", "http://127.0.0.1:18788"]);
  });
});

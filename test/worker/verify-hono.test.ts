/**
 * The Hono origin example (docs/origin-teams.md) verifies what the edge forwards.
 */
import { describe, expect, it } from "vitest";
import { createOriginApp } from "../../examples/hono-origin/app";
import { EDGE, edge, newAccountWithKey, ORIGIN, received, tag, withKey } from "./helpers";

describe("the Hono origin example (examples/hono-origin)", () => {
  it("accepts what the edge forwarded and refuses a replay on another path or an unsigned request", async () => {
    const jwks = await (await edge("/.well-known/jwks.json")).json();
    const origin = createOriginApp({ keys: jwks as { keys: [] }, audience: ORIGIN });
    const { key, accountId, id } = await newAccountWithKey("starter", { scopes: ["usage:read"] });
    const t = tag();
    expect((await withKey(key, `/v1/usage?t=${t}`)).status).toBe(200);
    const [got] = await received(t);
    if (!got) throw new Error("not forwarded");
    const headers = Object.fromEntries(Object.entries(got.headers).map(([k, v]) => [k, String(v)]));
    const ok = await origin.request(got.url, { headers });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ account_id: accountId, key_id: id, plan: "starter", scopes: ["usage:read"] });
    const replayed = await origin.request(`/v1/usage?t=${t}&other`, { headers });
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as { code: string }).code).toBe("request_mismatch");
    const unsigned = await origin.request(new Request(`${EDGE}/v1/usage`, { headers: { "X-NearIQ-Account-Id": "x" } }));
    expect(unsigned.status).toBe(401);
  });
});

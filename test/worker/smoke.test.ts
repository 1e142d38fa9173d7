/**
 * The edge is up: `/healthz`, and one authenticated request forwarded.
 */
import { describe, expect, it } from "vitest";
import { edge, newAccountWithKey, received, tag, withKey } from "./helpers";

describe("smoke", () => {
  it("answers /healthz; with webhooks configured, says so in a webhooks member", async () => {
    const res = await edge("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", webhooks: "ok" });
  });

  it("forwards an authenticated request", async () => {
    const { key, accountId, id } = await newAccountWithKey();
    const t = tag();
    const res = await withKey(key, `/v1/competitors?t=${t}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { headers: Record<string, string> };
    expect(body.headers["x-neariq-account-id"]).toBe(accountId);
    expect(body.headers["x-neariq-key-id"]).toBe(id);
    expect((await received(t)).length).toBe(1);
  });
});

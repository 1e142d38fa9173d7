/**
 * What the edge answers itself under `/v1` (docs/api.md#get-v1api-keyscurrent): the current key,
 * never cached, and refusals to `HEAD` with their headers and no body.
 */
import { describe, expect, it } from "vitest";
import { edge, newAccountWithKey, withKey } from "./helpers";

describe("/v1/api-keys/current", () => {
  it("answers GET and HEAD with Cache-Control: no-store", async () => {
    const { key } = await newAccountWithKey();
    for (const method of ["GET", "HEAD"]) {
      const res = await withKey(key, "/v1/api-keys/current", { method });
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
  });
});

describe("HEAD under /v1", () => {
  it("answers a refusal with its status and headers and no body, as HTTP requires", async () => {
    const res = await edge("/v1/competitors", { method: "HEAD" });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("www-authenticate")).toBe('NearIQ-Key realm="NearIQ API"');
    expect(res.headers.get("x-neariq-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.text()).toBe("");
  });
});

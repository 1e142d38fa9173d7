import { describe, expect, it } from "vitest";
import { isKeyManagement, matchRoute } from "../../src/auth/route";
import { DEFAULT_KEY_SCOPES, PLANS, ROUTES, SCOPES } from "../../src/domain/policy";

describe("route matching (docs/api.md#the-decision-table route table)", () => {
  it("matches every row of the table, HEAD wherever GET is", () => {
    for (const rule of ROUTES) {
      const path = rule.path.replaceAll("{id}", "abc_123");
      for (const method of rule.methods) expect(matchRoute(method, path)).toBe(rule);
      if (rule.methods.includes("GET")) expect(matchRoute("HEAD", path)).toBe(rule);
    }
  });

  it("matches nothing else", () => {
    const misses: [string, string][] = [
      ["POST", "/v1/usage"],
      ["GET", "/v1/competitors/a/b"],
      ["GET", "/v1/competitors/"],
      ["GET", "/v1/competitors//"],
      ["GET", "/v1/competitorsx"],
      ["GET", "/v1/competitors/a%2Fb"],
      ["GET", "/v1/competitors/a%2fb"],
      ["GET", "/v1/competitors/a%5Cb"],
      ["GET", "/v1/Competitors"],
      ["GET", "/v1"],
      ["GET", "/v1/"],
      ["OPTIONS", "/v1/competitors"],
      ["HEAD", "/v1/business/x"],
      ["GET", "/v2/competitors"],
    ];
    for (const [method, path] of misses) expect(matchRoute(method, path), `${method} ${path}`).toBeUndefined();
  });

  it("treats every method on /v1/api-keys and /v1/api-keys/{id} as key management, but GET/HEAD current", () => {
    for (const method of ["GET", "POST", "DELETE", "PATCH", "PUT", "HEAD"]) {
      expect(isKeyManagement(method, "/v1/api-keys")).toBe(true);
      expect(isKeyManagement(method, "/v1/api-keys/key_1")).toBe(true);
    }
    for (const method of ["POST", "DELETE", "PUT", "PATCH"]) {
      expect(isKeyManagement(method, "/v1/api-keys/current")).toBe(true);
    }
    expect(isKeyManagement("GET", "/v1/api-keys/current")).toBe(false);
    expect(isKeyManagement("HEAD", "/v1/api-keys/current")).toBe(false);
    expect(isKeyManagement("GET", "/v1/api-keysx")).toBe(false);
  });
});

describe("policy data", () => {
  it("has the 17 scopes, and plans that nest", () => {
    expect(SCOPES).toHaveLength(17);
    expect(new Set(SCOPES).size).toBe(17);
    for (const scope of PLANS.starter) expect(PLANS.pro).toContain(scope);
    for (const scope of PLANS.pro) expect(PLANS.agency).toContain(scope);
    expect([...PLANS.agency].sort()).toEqual([...SCOPES].sort());
    expect(DEFAULT_KEY_SCOPES).toEqual(["competitors:read", "alerts:read", "usage:read"]);
    for (const rule of ROUTES) expect(SCOPES).toContain(rule.scope);
  });
});

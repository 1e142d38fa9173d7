/**
 * The route table (docs/policy.md#routes): any path is forwarded only if a route of the table
 * matches it, and then exactly as matched.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import policyPage from "../../docs/policy.md?raw";
import { SCOPES } from "../../src/domain/policy";
import { routesOf, specRoute } from "../support/route-spec";
import { EDGE, edge, newAccountWithKey, PROPERTY_RUNS, received, tag } from "./helpers";

const ROUTES = routesOf(policyPage);

describe("the route table as the page writes it", () => {
  it("has every route, with {id} segments and the route the edge answers itself", () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(25);
    expect(specRoute(ROUTES, "HEAD", "/v1/alerts/a_1")?.segments).toEqual(["", "v1", "alerts", "{id}"]);
    expect(specRoute(ROUTES, "GET", "/v1/alerts/a%2F1")).toBeUndefined();
    expect(specRoute(ROUTES, "GET", "/v1/api-keys/current")?.answeredByEdge).toBe(true);
    expect(specRoute(ROUTES, "DELETE", "/v1/competitors")).toBeUndefined();
  });
});

describe("any path (property-based)", () => {
  it("is forwarded only if a route of the table matches it, and then exactly as matched", async () => {
    const { key } = await newAccountWithKey("agency", { scopes: [...SCOPES] });
    const segment = fc.oneof(
      fc.constantFrom(
        "v1",
        "competitors",
        "alerts",
        "read",
        "unread",
        "webhooks",
        "api-keys",
        "current",
        "gbp",
        "health",
        "content",
        "drafts",
        "refine",
        "..",
        ".",
        "%2e%2e",
        "%2E",
        "",
        "%2F",
        "%5C",
        "_admin",
        "healthz",
        "x%20y",
        "%00",
        "a;b",
        "usage",
        "export",
        "business",
        "%76%31",
        "~",
        "@",
        "\u00e9",
      ),
      fc.string({ unit: fc.constantFrom(..."abcXYZ019-._~%/"), maxLength: 6 }),
    );
    const path = fc.array(segment, { maxLength: 6 }).map((segs) => `/${["v1", ...segs].join("/")}`);
    const method = fc.constantFrom("GET", "HEAD", "POST", "PATCH", "DELETE", "PUT", "OPTIONS");
    const seen = { forwarded: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(path, method, async (p, m) => {
        const t = tag();
        const url = new URL(`${p}?t=${t}`, EDGE);
        const res = await edge(`${p}?t=${t}`, { method: m, headers: { "X-NearIQ-Key": key } });
        expect(res.status).toBeLessThan(500);
        await res.body?.cancel();
        // No route of the table is under /v1/api-keys but the one the edge answers itself, so key
        // management (row 6) is never forwarded either.
        const matched = specRoute(ROUTES, m, url.pathname);
        const forwarded = matched !== undefined && !matched.answeredByEdge;
        const got = await received(t);
        seen[forwarded ? "forwarded" : "refused"]++;
        if (forwarded) {
          expect(res.status).toBe(200);
          expect(got.map((r) => `${r.method} ${r.path}${r.query}`)).toEqual([`${m} ${url.pathname}${url.search}`]);
        } else {
          expect(got).toEqual([]);
        }
      }),
      {
        numRuns: PROPERTY_RUNS,
        // Run first, so that both outcomes are always seen.
        examples: [
          ["/v1/competitors", "HEAD"],
          ["/v1/alerts/a_1/read", "POST"],
          ["/v1/alerts/a%2F1", "GET"],
          ["/v1/api-keys/current", "GET"],
        ],
      },
    );
    expect(seen.forwarded).toBeGreaterThanOrEqual(2);
    expect(seen.refused).toBeGreaterThanOrEqual(2);
  }, 120_000);
});

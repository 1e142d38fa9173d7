/**
 * What the origin never receives (docs/api.md#for-origin-teams-what-the-origin-receives): credentials
 * by name, `X-NearIQ-*` headers the client sent, method overrides and Connection-listed names, in any
 * case and with `_` for `-`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { edge, newAccountWithKey, PROPERTY_RUNS, received, tag, withKey } from "./helpers";

describe("credentials the origin never receives, by name", () => {
  it("drops Authorization and Proxy-Authorization whose values do not look like keys", async () => {
    const { key } = await newAccountWithKey();
    const t = tag();
    const res = await withKey(key, `/v1/competitors?t=${t}`, {
      headers: { Authorization: "Bearer session-abc", "Proxy-Authorization": "Basic dXNlcjpwYXNz", "X-Kept": "yes" },
    });
    expect(res.status).toBe(200);
    const [got] = await received(t);
    expect(got?.headers.authorization).toBeUndefined();
    expect(got?.headers["proxy-authorization"]).toBeUndefined();
    expect(got?.headers["x-kept"]).toBe("yes");
  });
});

describe("look-alike headers (`_` read as `-`)", () => {
  it("drops X-NearIQ_*, method overrides and Connection-listed names written with `_`, and any `_` header", async () => {
    const { key, accountId, id } = await newAccountWithKey("starter", { scopes: ["competitors:write", "usage:read"] });
    const t = tag();
    const res = await withKey(key, `/v1/competitors?t=${t}`, {
      method: "POST",
      body: "{}",
      headers: {
        "X-NearIQ_Scopes": "payments:write contacts:write",
        x_neariq_plan: "agency",
        X_NearIQ_Account_Id: "victim",
        "X-NearIQ_Auth-Assertion": "forged",
        "X-HTTP_Method_Override": "DELETE",
        X_HTTP_METHOD: "DELETE",
        "x-method_override": "DELETE",
        Proxy_Authorization: "Basic c2Vzc2lvbg==",
        X_Custom: "dropped too",
        "X-Kept": "kept",
        Connection: "x-hop_by_hop",
        "X-Hop-By-Hop": "listed in Connection with `_`",
      },
    });
    expect(res.status).toBe(200);
    const [got] = await received(t);
    expect(got?.method).toBe("POST");
    const names = Object.keys(got?.headers ?? {});
    expect(names.filter((n) => n.includes("_"))).toEqual([]);
    expect(names.filter((n) => n.startsWith("x-neariq-")).sort()).toEqual([
      "x-neariq-account-id",
      "x-neariq-auth-assertion",
      "x-neariq-key-id",
      "x-neariq-mode",
      "x-neariq-plan",
      "x-neariq-request-id",
      "x-neariq-scopes",
    ]);
    expect(got?.headers["x-neariq-scopes"]).toBe("competitors:write usage:read");
    expect(got?.headers["x-neariq-plan"]).toBe("starter");
    expect(got?.headers["x-neariq-account-id"]).toBe(accountId);
    expect(got?.headers["x-neariq-key-id"]).toBe(id);
    expect(got?.headers["x-hop-by-hop"]).toBeUndefined();
    expect(got?.headers["x-kept"]).toBe("kept");
  });
});
describe("header families (property-based)", () => {
  it("any header name in an X-NearIQ-* or method-override family, in any case, with `_` for `-`: never reaches the origin", async () => {
    const { key, accountId, id } = await newAccountWithKey("pro", { scopes: ["competitors:read"] });
    const families = [
      "x-neariq-scopes",
      "x-neariq-plan",
      "x-neariq-account-id",
      "x-neariq-key-id",
      "x-neariq-auth-assertion",
      "x-neariq-request-id",
      "x-neariq-anything",
      "x-http-method-override",
      "x-http-method",
      "x-method-override",
      "proxy-authorization",
    ];
    const lookAlike = fc
      .tuple(fc.constantFrom(...families), fc.infiniteStream(fc.boolean()), fc.infiniteStream(fc.boolean()))
      .map(([name, underscores, uppers]) => {
        const u = underscores[Symbol.iterator]();
        const c = uppers[Symbol.iterator]();
        return [...name]
          .map((ch) => (ch === "-" && u.next().value ? "_" : ch))
          .map((ch) => (c.next().value ? ch.toUpperCase() : ch))
          .join("");
      });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(lookAlike, { minLength: 1, maxLength: 6, selector: (n) => n.toLowerCase() }),
        async (names) => {
          const t = tag();
          const headers = new Headers({ "X-NearIQ-Key": key });
          for (const name of names) headers.append(name, "payments:write agency DELETE");
          const res = await edge(`/v1/competitors?t=${t}`, { headers });
          expect(res.status).toBe(200);
          const [got] = await received(t);
          const forwarded = got?.headers ?? {};
          expect(
            Object.keys(forwarded).filter((n) => n.includes("_") || /method/.test(n) || n === "proxy-authorization"),
          ).toEqual([]);
          expect(forwarded["x-neariq-scopes"]).toBe("competitors:read");
          expect(forwarded["x-neariq-plan"]).toBe("pro");
          expect(forwarded["x-neariq-account-id"]).toBe(accountId);
          expect(forwarded["x-neariq-key-id"]).toBe(id);
          expect(forwarded["x-neariq-anything"]).toBeUndefined();
        },
      ),
      { numRuns: PROPERTY_RUNS },
    );
  }, 120_000);
});

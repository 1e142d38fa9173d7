/**
 * The admin API's accounts and keys (docs/api.md#for-the-dashboard-backend-the-admin-api): what each
 * call answers, and every body it refuses, with property tests over any body and any key name.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import openapi from "../../docs/openapi.json";
import { SCOPES } from "../../src/domain/policy";
import { admin, edge, newAccount, newKey, PROPERTY_RUNS, problemOf, registerCreatedKey, tag } from "./helpers";

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe("admin API: accounts (docs/api.md#for-the-dashboard-backend-the-admin-api)", () => {
  it("creates, reads and updates an account's plan", async () => {
    const id = `acct_${tag()}`;
    let res = await admin("PUT", `/accounts/${id}`, { plan: "starter" });
    expect(res.status).toBe(200);
    // The plans' default limits, from docs/limits.md.
    expect(await res.json()).toEqual({ account_id: id, plan: "starter", limits: { per_minute: 60, per_day: 10_000 } });
    res = await admin("PUT", `/accounts/${id}`, { plan: "agency", ignored: true });
    expect(await res.json()).toEqual({
      account_id: id,
      plan: "agency",
      limits: { per_minute: 3_000, per_day: 1_000_000 },
    });
    res = await admin("GET", `/accounts/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      account_id: id,
      plan: "agency",
      limits: { per_minute: 3_000, per_day: 1_000_000 },
    });
  });

  it("answers 404 unknown_account for an account never PUT", async () => {
    const res = await admin("GET", `/accounts/${tag()}`);
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe("unknown_account");
  });

  it("refuses bad plan bodies", async () => {
    const id = `acct_${tag()}`;
    const cases: [unknown, number, string][] = [
      ["{not json", 400, "invalid_request"],
      [{}, 400, "invalid_request"],
      ["", 400, "invalid_request"],
      [[], 400, "invalid_request"],
      ["null", 400, "invalid_request"],
      [{ plan: 3 }, 400, "invalid_request"],
      [{ plan: "enterprise" }, 400, "invalid_plan"],
      [{ plan: "Pro" }, 400, "invalid_plan"],
    ];
    for (const [body, status, code] of cases) {
      const res = await admin("PUT", `/accounts/${id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((await problemOf(res)).code).toBe(code);
    }
    expect((await admin("GET", `/accounts/${id}`)).status).toBe(404);
  });

  it("validates account_id", async () => {
    for (const bad of ["a".repeat(65), "a%20b", "a.b", "a%2Fb", "%C3%A9"]) {
      const res = await admin("PUT", `/accounts/${bad}`, { plan: "pro" });
      expect(res.status, bad).toBe(400);
      expect((await problemOf(res)).code).toBe("invalid_account_id");
    }
    expect((await admin("PUT", `/accounts/${"a".repeat(64)}`, { plan: "pro" })).status).toBe(200);
    expect((await admin("PUT", "/accounts/A-z_0", { plan: "pro" })).status).toBe(200);
  });
});

describe("admin API: keys (docs/api.md#for-the-dashboard-backend-the-admin-api)", () => {
  it("creates a key: shown once, default scopes, null name and expiry", async () => {
    const accountId = await newAccount();
    const res = await admin("POST", `/accounts/${accountId}/keys`, "");
    expect(res.status).toBe(201);
    const created = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(created).sort()).toEqual(
      [
        "created_at",
        "expires_at",
        "id",
        "key",
        "allowed_ips",
        "name",
        "rate_limit_per_minute",
        "scopes",
        "mode",
      ].sort(),
    );
    expect(created.rate_limit_per_minute).toBeNull();
    expect(created.key).toMatch(/^niq_live_[0-9A-Za-z]{38}$/);
    expect(created.scopes).toEqual(["alerts:read", "competitors:read", "usage:read"]);
    expect(created.name).toBeNull();
    expect(created.expires_at).toBeNull();
    expect(created.created_at).toMatch(RFC3339_UTC);
  });

  it("stores name, sorted unique scopes and expires_at given with any offset, returned in UTC", async () => {
    const accountId = await newAccount();
    const created = await newKey(accountId, {
      name: "CI runner",
      scopes: ["usage:read", "export", "usage:read", "alerts:read"],
      expires_at: "2099-01-02T03:04:05+02:00",
      unknown_field: { deep: true },
    });
    expect(created.name).toBe("CI runner");
    expect(created.scopes).toEqual(["alerts:read", "export", "usage:read"]);
    expect(created.expires_at).toBe("2099-01-02T01:04:05.000Z");
  });

  it("refuses bad key bodies", async () => {
    const accountId = await newAccount();
    const cases: [unknown, number, string][] = [
      ["{", 400, "invalid_request"],
      ["[1]", 400, "invalid_request"],
      [{ name: 5 }, 400, "invalid_request"],
      [{ name: "x".repeat(101) }, 400, "invalid_request"],
      [{ scopes: [] }, 400, "invalid_request"],
      [{ scopes: "export" }, 400, "invalid_request"],
      [{ scopes: null }, 400, "invalid_request"],
      [{ scopes: ["export", 1] }, 400, "invalid_request"],
      [{ expires_at: "2001-01-01T00:00:00Z" }, 400, "invalid_request"],
      [{ expires_at: "tomorrow" }, 400, "invalid_request"],
      [{ expires_at: "2099-02-30T00:00:00Z" }, 400, "invalid_request"],
      [{ expires_at: 4102444800 }, 400, "invalid_request"],
    ];
    for (const [body, status, code] of cases) {
      const res = await admin("POST", `/accounts/${accountId}/keys`, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect((await problemOf(res)).code, JSON.stringify(body)).toBe(code);
    }
    const res = await admin("POST", `/accounts/${accountId}/keys`, {
      scopes: ["export", "admin", "admin", "Export"],
    });
    expect(res.status).toBe(400);
    const problem = await problemOf(res);
    expect(problem.code).toBe("invalid_scope");
    expect(problem.invalid_scopes).toEqual(["admin", "Export"]);
    expect(((await (await admin("GET", `/accounts/${accountId}/keys`)).json()) as { keys: [] }).keys).toEqual([]);
  });

  it("accepts a name of exactly 100 characters", async () => {
    const accountId = await newAccount();
    expect((await newKey(accountId, { name: "é".repeat(100) })).name).toBe("é".repeat(100));
  });

  it("answers 404 unknown_account when creating a key for an account never PUT", async () => {
    const res = await admin("POST", `/accounts/${tag()}/keys`, {});
    expect(res.status).toBe(404);
    expect((await problemOf(res)).code).toBe("unknown_account");
  });

  it("lists keys with hints, never the key or its hash", async () => {
    const accountId = await newAccount();
    const a = await newKey(accountId, { name: "a" });
    const b = await newKey(accountId, { scopes: ["export"] });
    const res = await admin("GET", `/accounts/${accountId}/keys`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(a.key);
    expect(text).not.toContain(b.key.slice(9, 30));
    const { keys } = JSON.parse(text) as { keys: Record<string, unknown>[] };
    expect(keys.map((k) => k.id)).toEqual([a.id, b.id]);
    expect(keys[0]).toEqual({
      id: a.id,
      name: "a",
      scopes: ["alerts:read", "competitors:read", "usage:read"],
      hint: `niq_live_\u2026${a.key.slice(-4)}`,
      created_at: a.created_at,
      expires_at: null,
      revoked_at: null,
      last_used_at: null,
      rate_limit_per_minute: null,
      allowed_ips: null,
      revoked_reason: null,
      rolled_from: null,
      rolled_to: null,
      leak: null,
      mode: "live",
    });
  });

  it("revokes a key once: revoking again returns the same revoked_at", async () => {
    const accountId = await newAccount();
    const { id } = await newKey(accountId);
    const first = await admin("DELETE", `/accounts/${accountId}/keys/${id}`);
    expect(first.status).toBe(200);
    const body = (await first.json()) as { id: string; revoked_at: string };
    expect(body.id).toBe(id);
    expect(body.revoked_at).toMatch(RFC3339_UTC);
    const second = await admin("DELETE", `/accounts/${accountId}/keys/${id}`);
    expect(await second.json()).toEqual(body);
    const { keys } = (await (await admin("GET", `/accounts/${accountId}/keys`)).json()) as {
      keys: { revoked_at: string }[];
    };
    expect(keys[0]?.revoked_at).toBe(body.revoked_at);
  });

  it("answers 404 unknown_key for an unknown key and for another account's key", async () => {
    const a = await newAccount();
    const b = await newAccount();
    const { id } = await newKey(b);
    for (const keyId of ["key_nope", id]) {
      const res = await admin("DELETE", `/accounts/${a}/keys/${keyId}`);
      expect(res.status).toBe(404);
      expect((await problemOf(res)).code).toBe("unknown_key");
    }
    const { keys } = (await (await admin("GET", `/accounts/${b}/keys`)).json()) as { keys: { revoked_at: null }[] };
    expect(keys[0]?.revoked_at).toBeNull();
  });
});

describe("GET /_admin/openapi.json", () => {
  it("serves docs/openapi.json, to the admin token only", async () => {
    const res = await admin("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(openapi);
    expect((await edge("/_admin/openapi.json")).status).toBe(401);
  });
});

describe("key names and expiry", () => {
  it("refuses names with control characters, lone surrogates, or bidirectional overrides and isolates", async () => {
    const accountId = await newAccount();
    const bad = [
      "\u001b[2Jcleared",
      "tab\there",
      "nul\u0000",
      "del\u007f",
      "c1\u0085",
      "c1\u009f",
      "lone \ud800 high",
      "lone \udfff low",
      "\u202eevil",
      "\u202aembed",
      "\u2066isolate",
      "\u2069pop",
    ];
    for (const name of bad) {
      // JSON.stringify writes lone surrogates as \\u escapes: the edge sees them as JSON escapes.
      const res = await admin("POST", `/accounts/${accountId}/keys`, JSON.stringify({ name }));
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect((await problemOf(res)).code).toBe("invalid_request");
    }
    const fine = ["Zapier — prod 🚀", "日本語のキー", "a\u00a0b", "\u200d", "e\u0301"];
    for (const name of fine) {
      const res = await admin("POST", `/accounts/${accountId}/keys`, { name });
      expect(res.status, JSON.stringify(name)).toBe(201);
      const created = (await res.json()) as { name: string; key: string };
      expect(created.name).toBe(name);
      await registerCreatedKey(created.key);
    }
  });

  it("refuses expires_at after 9999-12-31T23:59:59Z, and accepts exactly that", async () => {
    const accountId = await newAccount();
    for (const expires_at of ["9999-12-31T23:59:60Z", "9999-12-31T23:59:59.001Z", "9999-12-31T23:00:00-01:00"]) {
      const res = await admin("POST", `/accounts/${accountId}/keys`, { expires_at });
      expect(res.status, expires_at).toBe(400);
      expect((await problemOf(res)).code).toBe("invalid_request");
    }
    const res = await admin("POST", `/accounts/${accountId}/keys`, { expires_at: "9999-12-31T23:59:59Z" });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { expires_at: string; key: string };
    expect(created.expires_at).toBe("9999-12-31T23:59:59.000Z");
    await registerCreatedKey(created.key);
  });
});

describe("admin bodies (property-based)", () => {
  it("any admin JSON body: 2xx or a 4xx problem, never 5xx", async () => {
    const accountId = await newAccount();
    const emptyAccount = `empty_${tag()}`;
    const deep = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.jsonValue(),
        fc.array(tie("node")),
        fc.dictionary(fc.string(), tie("node")),
      ),
    })).node;
    const fields = fc.record(
      {
        name: fc.oneof(fc.string({ maxLength: 120 }), fc.jsonValue()),
        scopes: fc.oneof(fc.subarray([...SCOPES, "admin", "__proto__"]), fc.jsonValue()),
        expires_at: fc.oneof(
          fc.date().map((d) => (Number.isNaN(d.getTime()) ? "x" : d.toISOString())),
          fc.jsonValue(),
        ),
        plan: fc.oneof(fc.constantFrom("starter", "pro", "agency", "Pro", ""), fc.jsonValue()),
        __proto__: fc.jsonValue(),
        constructor: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fields.map((f) => JSON.stringify(f)),
      deep.map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc.constantFrom('{"__proto__":{"plan":"pro"}}', '{"constructor":{"prototype":{"scopes":1}}}', "[".repeat(5000)),
      fc.nat(40_000).map((n) => JSON.stringify({ name: "x".repeat(n) })),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (text, createKey) => {
        const res = createKey
          ? await admin("POST", `/accounts/${accountId}/keys`, text)
          : await admin("PUT", `/accounts/${emptyAccount}`, text);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get("content-type")).toBe("application/problem+json");
          const problem = (await res.json()) as { code: string; status: number };
          expect(problem.status).toBe(res.status);
          expect(["invalid_request", "invalid_scope", "invalid_plan", "payload_too_large"]).toContain(problem.code);
        } else {
          const created = (await res.json()) as { key?: string };
          if (created.key) await registerCreatedKey(created.key);
        }
      }),
      { numRuns: PROPERTY_RUNS },
    );
  }, 120_000);

  it("any key name from the whole of Unicode: 201 if and only if it has no control, bidi-override or lone-surrogate character", async () => {
    const accountId = await newAccount();
    // docs/api.md#our-choices-where-the-rules-are-silent, written out here rather than taken from the code under test.
    const unsafe = (name: string) =>
      [...name].some((ch) => {
        const c = ch.codePointAt(0) ?? 0;
        const lone = ch.length === 1 && c >= 0xd800 && c <= 0xdfff;
        return (
          c <= 0x1f || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || lone
        );
      });
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 40 }), async (name) => {
        const res = await admin("POST", `/accounts/${accountId}/keys`, JSON.stringify({ name }));
        if (unsafe(name)) {
          expect(res.status).toBe(400);
          expect(((await res.json()) as { code: string }).code).toBe("invalid_request");
        } else {
          expect(res.status).toBe(201);
          const created = (await res.json()) as { name: string; key: string };
          expect(created.name).toBe(name);
          await registerCreatedKey(created.key);
        }
      }),
      { numRuns: PROPERTY_RUNS, examples: [["a plain name"], ["\u001b[2J"], ["\u202eevil"]] },
    );
  }, 120_000);
});

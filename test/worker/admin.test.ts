import { describe, expect, it } from "vitest";
import openapi from "../../docs/openapi.json";
import { ADMIN_TOKEN, admin, edge, newAccount, newKey, problemOf, tag } from "./helpers";

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

describe("admin API: access (docs/api.md#for-the-dashboard-backend-the-admin-api)", () => {
  it("refuses a missing or wrong token with 401 admin_unauthorized and WWW-Authenticate: Bearer", async () => {
    for (const authorization of [null, "Bearer wrong", `Basic ${ADMIN_TOKEN}`, `Bearer ${ADMIN_TOKEN}x`]) {
      const headers = new Headers();
      if (authorization) headers.set("authorization", authorization);
      const res = await edge("/_admin/accounts/acme", { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect((await problemOf(res)).code).toBe("admin_unauthorized");
    }
  });

  it("refuses any request that carries X-NearIQ-Key with 403 key_management_forbidden", async () => {
    const accountId = await newAccount();
    const { key } = await newKey(accountId);
    for (const [method, path] of [
      ["POST", `/accounts/${accountId}/keys`],
      ["GET", `/accounts/${accountId}/keys`],
      ["PUT", `/accounts/${accountId}`],
      ["GET", "/nowhere"],
    ] as const) {
      for (const value of [key, "", "junk"]) {
        const res = await admin(method, path, method === "GET" ? undefined : { plan: "pro" }, {
          "X-NearIQ-Key": value,
        });
        expect(res.status, `${method} ${path} ${value}`).toBe(403);
        expect((await problemOf(res)).code).toBe("key_management_forbidden");
      }
    }
    const res = await edge(`/_admin/accounts/${accountId}/keys`, { headers: { "X-NearIQ-Key": key } });
    expect(res.status).toBe(403);
  });

  it("answers 404 unknown_route for unknown admin paths, after the admin checks", async () => {
    for (const [method, path] of [
      ["GET", "/nowhere"],
      ["PATCH", "/accounts/acme"],
      ["GET", "/accounts/acme/keys/x/y"],
      ["GET", ""],
    ] as const) {
      const res = await admin(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await problemOf(res)).code).toBe("unknown_route");
    }
    expect((await edge("/_admin/nowhere")).status).toBe(401);
  });

  it("refuses bodies over 64 KB with 413 payload_too_large, declared or streamed", async () => {
    const accountId = await newAccount();
    const big = JSON.stringify({ name: "x", pad: "y".repeat(70_000) });
    let res = await admin("POST", `/accounts/${accountId}/keys`, big);
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe("payload_too_large");
    const chunks = [new TextEncoder().encode(big.slice(0, 40_000)), new TextEncoder().encode(big.slice(40_000))];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    res = await edge(`/_admin/accounts/${accountId}/keys`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: stream,
    });
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe("payload_too_large");
    // Exactly 65,536 bytes is allowed.
    const exact = JSON.stringify({ name: "x", pad: "" });
    const padded = exact.replace('""', `"${"y".repeat(65_536 - exact.length)}"`);
    expect(new TextEncoder().encode(padded).length).toBe(65_536);
    expect((await admin("POST", `/accounts/${accountId}/keys`, padded)).status).toBe(201);
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

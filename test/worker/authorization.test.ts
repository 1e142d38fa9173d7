/**
 * Authorization (docs/api.md#the-decision-table rows 6–9, docs/policy.md): key management, unknown
 * routes, plans and scopes, in that order.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyAuthority } from "../../src/authority/key-authority";
import { DEFAULT_KEY_SCOPES, ROUTES, SCOPES } from "../../src/domain/policy";
import {
  admin,
  edge,
  inOneMinute,
  newAccount,
  newAccountWithKey,
  newKey,
  problemOf,
  received,
  sleep,
  tag,
  UNMETERED,
  withKey,
} from "./helpers";

/** Every scope of the documented plan table (docs/api.md#the-decision-table), written out rather than read from the policy. */
const SPEC_SCOPES = [
  "competitors:read",
  "alerts:read",
  "alerts:write",
  "usage:read",
  "business:write",
  "competitors:write",
  "export",
  "webhooks:manage",
  "content:write",
  "chat:write",
  "reports:write",
  "reviews:write",
  "social:write",
  "embeds:write",
  "notifications:write",
  "payments:write",
  "contacts:write",
];

function concretePath(path: string): string {
  return path.replaceAll("{id}", "id_42");
}

describe("the route table (docs/api.md#the-decision-table)", () => {
  it("forwards every row to exactly its path for a key holding exactly that scope, on agency", async () => {
    const accountId = await newAccount("agency");
    const keys = new Map<string, string>();
    for (const scope of SCOPES) keys.set(scope, (await newKey(accountId, { scopes: [scope] })).key);
    for (const rule of ROUTES.filter((r) => !r.answeredByEdge)) {
      for (const method of [...rule.methods, ...(rule.methods.includes("GET") ? ["HEAD"] : [])]) {
        const t = tag();
        const path = `${concretePath(rule.path)}?t=${t}`;
        const hasBody = method !== "GET" && method !== "HEAD";
        const res = await withKey(keys.get(rule.scope) ?? "", path, hasBody ? { method, body: "{}" } : { method });
        expect(res.status, `${method} ${path}`).toBe(200);
        const got = await received(t);
        expect(got.map((r) => `${r.method} ${r.path}${r.query}`)).toEqual([`${method} ${path}`]);
      }
    }
  });

  it("refuses every row with 403 insufficient_scope to a key holding every other scope", async () => {
    const accountId = await newAccount("agency");
    for (const rule of ROUTES) {
      const others = SCOPES.filter((s) => s !== rule.scope);
      const { key } = await newKey(accountId, { scopes: others });
      const t = tag();
      const method = rule.methods[0] ?? "GET";
      const res = await withKey(key, `${concretePath(rule.path)}?t=${t}`, { method });
      expect(res.status, rule.path).toBe(403);
      const problem = await problemOf(res);
      expect(problem.code).toBe("insufficient_scope");
      expect(problem.required_scope).toBe(rule.scope);
      expect(problem.granted_scopes).toEqual([...others].sort());
      expect(await received(t)).toEqual([]);
    }
  });

  it("gates every scope a plan lacks with 403 plan_required, even for a key that holds it", async () => {
    // The plan table of docs/api.md#the-decision-table, written out: what each plan lacks.
    const LACKING: Record<"starter" | "pro", string[]> = {
      starter: [
        "export",
        "webhooks:manage",
        "content:write",
        "chat:write",
        "reports:write",
        "reviews:write",
        "social:write",
        "embeds:write",
        "notifications:write",
        "payments:write",
        "contacts:write",
      ],
      pro: ["payments:write", "contacts:write"],
    };
    for (const plan of ["starter", "pro"] as const) {
      const accountId = await newAccount(plan);
      const { key } = await newKey(accountId, { scopes: SPEC_SCOPES });
      const lacking = LACKING[plan];
      // And what each plan has is forwarded: the complement, over every documented scope.
      for (const scope of SPEC_SCOPES.filter((s) => !lacking.includes(s))) {
        const rule = ROUTES.find((r) => r.scope === scope);
        if (!rule) throw new Error(`no route for ${scope}`);
        const res = await withKey(key, concretePath(rule.path), { method: rule.methods[0] });
        expect(res.status, `${plan} has ${scope}`).toBe(200);
        await res.body?.cancel();
      }
      for (const scope of lacking) {
        const rule = ROUTES.find((r) => r.scope === scope);
        if (!rule) throw new Error(`no route for ${scope}`);
        const t = tag();
        const res = await withKey(key, `${concretePath(rule.path)}?t=${t}`, { method: rule.methods[0] });
        expect(res.status, `${plan} ${scope}`).toBe(403);
        const problem = await problemOf(res);
        expect(problem.code).toBe("plan_required");
        expect(problem.required_scope).toBe(scope);
        expect(problem.plan).toBe(plan);
        expect(await received(t)).toEqual([]);
      }
    }
  });

  it("judges the next request by a new plan: pro → starter turns GET /v1/export into plan_required", async () => {
    const { accountId, key } = await newAccountWithKey("pro", { scopes: ["export"] });
    const t = tag();
    expect((await withKey(key, `/v1/export?t=${t}&pro`)).status).toBe(200);
    expect((await admin("PUT", `/accounts/${accountId}`, { plan: "starter" })).status).toBe(200);
    const res = await withKey(key, `/v1/export?t=${t}&starter`);
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe("plan_required");
    expect((await received(t)).map((r) => r.query)).toEqual([`?t=${t}&pro`]);
    await admin("PUT", `/accounts/${accountId}`, { plan: "agency" });
    expect((await withKey(key, `/v1/export?t=${t}&agency`)).status).toBe(200);
  });

  it("answers 404 unknown_route for paths not in the table, and forwards nothing", async () => {
    const { key } = await newAccountWithKey("agency", { scopes: [...SCOPES] });
    const t = tag();
    const misses: [string, string][] = [
      ["DELETE", "/v1/competitors"],
      ["PUT", "/v1/business"],
      ["GET", "/v1/competitors/a/b"],
      ["GET", "/v1/competitors/"],
      ["GET", "/v1/usagex"],
      ["GET", "/v1/competitors/a%2Fb"],
      ["GET", "/v1/alerts/%2F/read"],
      ["GET", "/v1/./nowhere"],
      ["GET", "/v1"],
      ["GET", "/v1/"],
      ["OPTIONS", "/v1/usage"],
    ];
    for (const [method, path] of misses) {
      const res = await withKey(key, `${path}?t=${t}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await problemOf(res)).code).toBe("unknown_route");
    }
    // Dot segments are resolved before matching: climbing out of /v1 is no longer a /v1 request.
    for (const path of ["/v1/../nowhere", "/v1/%2e%2e/healthz/x", "/v1/competitors/../../x"]) {
      const res = await withKey(key, `${path}?t=${t}`);
      expect(res.status, path).toBe(404);
      expect((await problemOf(res)).code).toBe("unknown_route");
    }
    const intoAdmin = await withKey(key, `/v1/../_admin/accounts?t=${t}`);
    expect((await problemOf(intoAdmin)).code).toBe("key_management_forbidden");
    // …and one that stays inside is judged, and forwarded, as the resolved path.
    const resolved = await withKey(key, `/v1/alerts/x/../../competitors?t=${t}`);
    expect(resolved.status).toBe(200);
    expect((await received(t)).map((r) => r.path)).toEqual(["/v1/competitors"]);
  });

  it("refuses key management with 403 key_management_forbidden, before the route check", async () => {
    const { key } = await newAccountWithKey("agency", { scopes: [...SCOPES] });
    const t = tag();
    for (const [method, path] of [
      ["GET", "/v1/api-keys"],
      ["POST", "/v1/api-keys"],
      ["DELETE", "/v1/api-keys/key_1"],
      ["PATCH", "/v1/api-keys/current"],
      ["POST", "/v1/api-keys/current"],
    ] as const) {
      const res = await withKey(key, `${path}?t=${t}`, { method });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await problemOf(res)).code).toBe("key_management_forbidden");
    }
    expect(await received(t)).toEqual([]);
  });
});

describe("GET /v1/api-keys/current (docs/api.md#get-v1api-keyscurrent)", () => {
  it("answers from the edge with the calling key's metadata, never forwarded", async () => {
    const { accountId, key, id, created_at } = await newAccountWithKey("pro", {
      name: "dashboard",
      scopes: ["usage:read", "export"],
      expires_at: "2099-12-31T23:59:59Z",
    });
    const t = tag();
    const res = await withKey(key, `/v1/api-keys/current?t=${t}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      id,
      name: "dashboard",
      account_id: accountId,
      scopes: ["export", "usage:read"],
      plan: "pro",
      hint: `niq_live_\u2026${key.slice(-4)}`,
      created_at,
      expires_at: "2099-12-31T23:59:59.000Z",
      last_used_at: expect.stringMatching(/:00\.000Z$/),
      rate_limit_per_minute: null,
      allowed_ips: null,
      limits: { per_minute: 600, per_day: 100_000 },
      mode: "live",
    });
    const head = await withKey(key, `/v1/api-keys/current?t=${t}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await received(t)).toEqual([]);
  });

  it("needs usage:read", async () => {
    const { key } = await newAccountWithKey("agency", { scopes: ["export"] });
    const res = await withKey(key, "/v1/api-keys/current");
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe("insufficient_scope");
  });
});

describe("stored scopes", () => {
  it("copies the default set into a key at creation; changing the default later changes no key", async () => {
    const accountId = await newAccount("agency");
    const before = await newKey(accountId);
    const defaults = DEFAULT_KEY_SCOPES as string[];
    defaults.push("export");
    try {
      const after = await newKey(accountId);
      expect(after.scopes).toEqual(["alerts:read", "competitors:read", "export", "usage:read"]);
    } finally {
      defaults.pop();
    }
    expect(before.scopes).toEqual(["alerts:read", "competitors:read", "usage:read"]);
    const res = await withKey(before.key, "/v1/export");
    expect((await problemOf(res)).code).toBe("insufficient_scope");
    const { keys } = (await (await admin("GET", `/accounts/${accountId}/keys`)).json()) as {
      keys: { id: string; scopes: string[] }[];
    };
    expect(keys.find((k) => k.id === before.id)?.scopes).toEqual(["alerts:read", "competitors:read", "usage:read"]);
  });
});

describe("last used", () => {
  it("records use to the minute with at most one storage write per key per minute", async () => {
    await inOneMinute(); // over a minute boundary, a second write would be right
    const { accountId, key, id } = await newAccountWithKey("agency", { scopes: ["usage:read"] }, UNMETERED);
    const stub = env.KEY_AUTHORITY.getByName(accountId);
    const writesBefore = await runInDurableObject(stub, (i: KeyAuthority) => i.stats.lastUsedWrites);
    for (let i = 0; i < 100; i++) {
      // A request every few ms outlives the 150 ms test lease, so the authority is asked repeatedly.
      expect((await withKey(key, "/v1/usage")).status).toBe(200);
      if (i % 20 === 0) await sleep(160);
    }
    const { writes, checks } = await runInDurableObject(stub, (i: KeyAuthority) => ({
      writes: i.stats.lastUsedWrites - writesBefore,
      checks: i.stats.checks,
    }));
    expect(checks).toBeGreaterThan(1);
    expect(writes).toBe(1);
    const { keys } = (await (await admin("GET", `/accounts/${accountId}/keys`)).json()) as {
      keys: { id: string; last_used_at: string }[];
    };
    const lastUsed = keys.find((k) => k.id === id)?.last_used_at ?? "";
    expect(lastUsed).toMatch(/:00\.000Z$/);
    expect(Date.now() - Date.parse(lastUsed)).toBeLessThan(120_000);
  }, 20_000);
});

describe("unknown paths outside /v1", () => {
  it("never reach the origin", async () => {
    const t = tag();
    for (const path of ["/v2/x", "/V1/competitors", "/v1%2Fcompetitors", "/v1x", "/v1.json", "/v10/competitors"]) {
      const res = await edge(`${path}?t=${t}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { code: string }).code, path).toBe("unknown_route");
    }
    expect(await received(t)).toEqual([]);
  });
});

describe("the order of rows 8 and 9", () => {
  it("a starter account, a key without export, GET /v1/export: 403 plan_required, not insufficient_scope", async () => {
    const { key } = await newAccountWithKey("starter", { scopes: ["competitors:read"] });
    const t = tag();
    const res = await withKey(key, `/v1/export?t=${t}`);
    expect(res.status).toBe(403);
    const problem = await problemOf(res);
    expect(problem.code).toBe("plan_required");
    expect(problem.required_scope).toBe("export");
    expect(problem.plan).toBe("starter");
    expect(await received(t)).toEqual([]);
  });
});

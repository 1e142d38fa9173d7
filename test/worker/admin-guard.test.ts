/**
 * The admin API's gate (docs/api.md#for-the-dashboard-backend-the-admin-api): the bearer token,
 * compared whole; no request that carries an API key, or a look-alike of its header; unknown routes
 * only after the checks; bodies of at most 64 KiB.
 */
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, admin, edge, newAccount, newAccountWithKey, newKey, problemOf } from "./helpers";

describe("the admin token is compared whole", () => {
  it("refuses its first character, all but its last character, and the token with extra characters", async () => {
    for (const token of [
      ADMIN_TOKEN.slice(0, 1),
      ADMIN_TOKEN.slice(0, -1),
      `${ADMIN_TOKEN}x`,
      `${ADMIN_TOKEN}${ADMIN_TOKEN}`,
    ]) {
      const res = await edge("/_admin/accounts/acme", { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe("admin_unauthorized");
    }
    const res = await edge("/_admin/accounts/acme", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(404);
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

describe("look-alike headers on the admin API (`_` read as `-`)", () => {
  it("refuses an admin request that carries X-NearIQ_Key with 403 key_management_forbidden", async () => {
    const { key, accountId } = await newAccountWithKey();
    const res = await admin("GET", `/accounts/${accountId}/keys`, undefined, { "X-NearIQ_Key": key });
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe("key_management_forbidden");
  });
});

/**
 * The security review's findings (docs/api.md#our-choices-where-the-rules-are-silent, SECURITY.md), each pinned by a test
 * that fails without its fix.
 */
import { describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  admin,
  EDGE,
  edge,
  newAccount,
  newAccountWithKey,
  problemOf,
  received,
  registerCreatedKey,
  sleep,
  tag,
  withKey,
} from "./helpers";
import { callWith, countedBindings } from "./support-calls";

/** `key` with the character at `i` percent-encoded. */
function encodedAt(key: string, i: number): string {
  return `${key.slice(0, i)}%${key.charCodeAt(i).toString(16).toUpperCase()}${key.slice(i + 1)}`;
}

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

  it("refuses an admin request that carries X-NearIQ_Key with 403 key_management_forbidden", async () => {
    const { key, accountId } = await newAccountWithKey();
    const res = await admin("GET", `/accounts/${accountId}/keys`, undefined, { "X-NearIQ_Key": key });
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe("key_management_forbidden");
  });
});

describe("a key in the path next to an invalid escape (lenient percent-decoding)", () => {
  it("answers 400 key_in_url and forwards nothing, whatever invalid escape stands beside the key", async () => {
    const { key } = await newAccountWithKey();
    const t = tag();
    for (const noise of ["%ff", "%zz", "%", "%e2%82", "%%41"]) {
      for (const path of [
        `/v1/competitors/${noise}${encodedAt(key, 20)}`,
        `/v1/competitors/${encodedAt(key, 0)}${noise}`,
        `/v1/competitors/x${noise}${encodedAt(key, 46)}`,
      ]) {
        const res = await withKey(key, `${path}?t=${t}`);
        expect(res.status, path).toBe(400);
        expect((await problemOf(res)).code).toBe("key_in_url");
      }
    }
    expect(await received(t)).toEqual([]);
  });
});

describe("bodies the edge does not use (drained for at most 5 s and 16 MiB)", () => {
  function countingBody(total: number, chunk = 1 << 20) {
    const state = { pulled: 0 };
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (state.pulled >= total) return controller.close();
        const size = Math.min(chunk, total - state.pulled);
        state.pulled += size;
        controller.enqueue(new Uint8Array(size));
      },
    });
    return { stream, state };
  }

  it("a 17 MiB body to /v1 without a key: 401 with Connection: close, and the next request is served", async () => {
    const { stream } = countingBody(17 * 1024 * 1024);
    const res = await edge("/v1/competitors", { method: "POST", body: stream });
    expect(res.status).toBe(401);
    expect(res.headers.get("connection")).toBe("close");
    expect((await problemOf(res)).code).toBe("missing_key");
    expect((await edge("/healthz")).status).toBe(200);
  });

  it("a body within the bounds is read to its end, and the answer keeps the connection", async () => {
    const { stream, state } = countingBody(3 * 1024 * 1024);
    const res = await edge("/v1/competitors", { method: "POST", body: stream });
    expect(res.status).toBe(401);
    expect(res.headers.get("connection")).toBeNull();
    expect(state.pulled).toBe(3 * 1024 * 1024);
  });

  it("a streamed admin body over 64 KiB: 413, and the rest of the body is read, not left waiting", async () => {
    const accountId = await newAccount();
    const { stream, state } = countingBody(2 * 1024 * 1024, 16 * 1024);
    const res = await edge(`/_admin/accounts/${accountId}/keys`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: stream,
    });
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe("payload_too_large");
    expect(res.headers.get("connection")).toBeNull();
    expect(state.pulled).toBe(2 * 1024 * 1024);
  });

  it("a body that trickles is given up after 5 s: the answer carries Connection: close", async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await sleep(500);
        sent++;
        controller.enqueue(new Uint8Array([120]));
      },
    });
    const started = Date.now();
    const res = await edge("/v1/competitors", { method: "POST", body: stream });
    const took = Date.now() - started;
    expect(res.status).toBe(401);
    expect(res.headers.get("connection")).toBe("close");
    expect(took).toBeGreaterThanOrEqual(4_900);
    expect(took).toBeLessThan(9_000);
    expect(sent).toBeGreaterThan(0);
    expect((await edge("/healthz")).status).toBe(200);
  }, 15_000);
});

describe("a refused expired key (costs no more than a revoked one)", () => {
  it("after the first refusal, the isolate answers expired_key without calling the authority", async () => {
    const expiresAt = new Date(Date.now() + 400);
    const { key } = await newAccountWithKey("agency", { expires_at: expiresAt.toISOString() });
    await sleep(expiresAt.getTime() - Date.now() + 20);
    const counted = countedBindings();
    const get = () =>
      callWith(new Request(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": key } }), counted.bindings);
    const first = await get();
    expect((await problemOf(first)).code).toBe("expired_key");
    const callsAfterFirst = counted.authorityCalls;
    for (let i = 0; i < 10; i++) {
      await sleep(20); // past any lease (150 ms in tests) by the end
      expect((await problemOf(await get())).code).toBe("expired_key");
    }
    await sleep(200);
    expect((await problemOf(await get())).code).toBe("expired_key");
    expect(counted.authorityCalls).toBe(callsAfterFirst);
  });
});

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

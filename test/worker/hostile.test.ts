/**
 * Hostile input, property-based (fast-check, 500 runs per property): whatever a client sends, the
 * edge answers with a clear 4xx problem (never a 5xx), forwards nothing it did not match, and
 * forwards what it matched exactly as matched.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SCOPES } from "../../src/auth/policy";
import { isKeyManagement, matchRoute } from "../../src/auth/route";
import { admin, EDGE, edge, newAccount, newAccountWithKey, received, registerCreatedKey, tag } from "./helpers";

const RUNS = 500;

// Printable ASCII and tab: workerd warns about (and re-encodes) anything else in a header.
const headerChar = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constant(0x09)).map((c) => String.fromCharCode(c));

function mutations(key: string) {
  return fc.oneof(
    fc.string({ unit: headerChar, maxLength: 600 }),
    fc.string({ unit: headerChar, minLength: 500, maxLength: 1200 }),
    fc.tuple(fc.nat(key.length - 1), headerChar).map(([i, c]) => key.slice(0, i) + c + key.slice(i + 1)),
    fc
      .tuple(fc.nat(key.length), fc.string({ unit: headerChar, maxLength: 8 }))
      .map(([i, s]) => key.slice(0, i) + s + key.slice(i)),
    fc.nat(key.length - 1).map((i) => key.slice(0, i) + key.slice(i + 1)),
    fc.constantFrom(`${key}, ${key}`, `${key},x`, key.toLowerCase(), key.toUpperCase(), ` ${key}x`),
  );
}

describe("hostile input (property-based)", () => {
  it("any X-NearIQ-Key value but a real key: 401 problem+json, never 5xx, never forwarded", async () => {
    const { key } = await newAccountWithKey();
    const t = tag();
    await fc.assert(
      fc.asyncProperty(mutations(key), async (value) => {
        // HTTP trims spaces and tabs around a header value (RFC 9110 §5.5): that is still the key.
        fc.pre(value.replace(/^[\t ]+|[\t ]+$/g, "") !== key);
        const res = await edge(`/v1/competitors?t=${t}`, { headers: { "X-NearIQ-Key": value } });
        expect(res.status).toBe(401);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        const body = (await res.json()) as { code: string };
        expect(["missing_key", "invalid_key"]).toContain(body.code);
      }),
      { numRuns: RUNS },
    );
    expect(await received(t)).toEqual([]);
  }, 60_000);

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
      { numRuns: RUNS },
    );
  }, 120_000);

  it("any path: forwarded only if the policy matched it, and then exactly as matched", async () => {
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
    await fc.assert(
      fc.asyncProperty(path, method, async (p, m) => {
        const t = tag();
        const url = new URL(`${p}?t=${t}`, EDGE);
        const res = await edge(`${p}?t=${t}`, { method: m, headers: { "X-NearIQ-Key": key } });
        expect(res.status).toBeLessThan(500);
        await res.body?.cancel();
        const matched = !isKeyManagement(m, url.pathname) && matchRoute(m, url.pathname);
        const forwarded = matched && matched.answeredByEdge !== true;
        const got = await received(t);
        if (forwarded) {
          expect(res.status).toBe(200);
          expect(got.map((r) => `${r.method} ${r.path}${r.query}`)).toEqual([`${m} ${url.pathname}${url.search}`]);
        } else {
          expect(got).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});

/**
 * Closing an account (docs/api.md#closing-an-account): once DELETE has answered, no request with
 * any of its keys is forwarded from anywhere; its KV records are removed; every admin call on it
 * answers 404 unknown_account; its storage is erased once account.closed is on the queue; a later
 * PUT starts an empty account.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyAuthority } from "../../src/authority/key-authority";
import { sha256Hex } from "../../src/keys/hash";
import type { ReceivedWebhook } from "../support/origin-contract";
import { newSigner, publish, report } from "./github-signer";
import { admin, newAccount, newKey, ORIGIN, problemOf, received, sleep, tag, withKey } from "./helpers";

async function close(accountId: string, headers: HeadersInit = {}) {
  const res = await admin("DELETE", `/accounts/${accountId}`, undefined, headers);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("closing an account", () => {
  it("answers 200 with closed_at and keys_revoked (active keys, one in a roll's grace included)", async () => {
    const accountId = await newAccount("pro");
    const a = await newKey(accountId);
    await newKey(accountId);
    const revoked = await newKey(accountId);
    await admin("DELETE", `/accounts/${accountId}/keys/${revoked.id}`);
    await admin("POST", `/accounts/${accountId}/keys/${a.id}/roll`, { grace_seconds: 3600 }); // a in grace + its successor
    const expired = await newKey(accountId, { expires_at: new Date(Date.now() + 200).toISOString() });
    await sleep(300);
    expect(expired.id).toMatch(/^key_/);
    const before = Date.now();
    const { status, body } = await close(accountId, { "X-NearIQ-Actor": "ops@example.com" });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(["account_id", "closed_at", "keys_revoked"]);
    expect(body.account_id).toBe(accountId);
    expect(body.keys_revoked).toBe(3);
    expect(Date.parse(body.closed_at as string)).toBeGreaterThanOrEqual(before - 5);
    expect(body.closed_at).toMatch(/Z$/);
  });

  it("under concurrent traffic with leases held: nothing with its keys is forwarded once it has answered", async () => {
    const accountId = await newAccount("pro");
    const keys = [await newKey(accountId), await newKey(accountId)];
    const t = tag();
    for (const k of keys) expect((await withKey(k.key, `/v1/competitors?t=${t}&warm`)).status).toBe(200);
    let answered = false;
    const after: Promise<Response>[] = [];
    const traffic = (async () => {
      for (let i = 0; i < 40; i++) {
        const k = keys[i % 2] as { key: string };
        const p = withKey(k.key, `/v1/competitors?t=${t}&i=${i}&after=${answered}`);
        if (answered) after.push(p);
        await p;
        await sleep(5);
      }
    })();
    await sleep(20);
    expect((await close(accountId)).status).toBe(200);
    answered = true;
    await traffic;
    for (let i = 0; i < 5; i++)
      after.push(withKey((keys[i % 2] as { key: string }).key, `/v1/competitors?t=${t}&late=${i}&after=true`));
    const answers = await Promise.all(after);
    expect(answers.length).toBeGreaterThan(4);
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(["revoked_key", "invalid_key"]).toContain((await problemOf(res)).code);
    }
    expect((await received(`t=${t}`)).filter((r) => r.query.includes("after=true"))).toEqual([]);
  });

  it("removes its keys' KV records and erases its storage; every admin call answers 404 unknown_account", async () => {
    const accountId = await newAccount("pro");
    const k = await newKey(accountId);
    await withKey(k.key, "/v1/competitors");
    expect(await env.API_KEYS.get(`key:${await sha256Hex(k.key)}`)).not.toBeNull();
    expect((await close(accountId)).status).toBe(200);
    expect(await env.API_KEYS.get(`key:${await sha256Hex(k.key)}`)).toBeNull();
    const rows = await runInDurableObject(env.KEY_AUTHORITY.getByName(accountId), async (_: KeyAuthority, state) => {
      const count = (table: string) =>
        (state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).toArray()[0] as { n: number }).n;
      return {
        tables: ["account", "api_keys", "events", "event_outbox", "usage_counts", "quota_windows", "kv_outbox"].map(
          count,
        ),
        alarm: await state.storage.getAlarm(),
      };
    });
    expect(rows).toEqual({ tables: [0, 0, 0, 0, 0, 0, 0], alarm: null });
    for (const [method, path] of [
      ["GET", `/accounts/${accountId}`],
      ["GET", `/accounts/${accountId}/keys`],
      ["GET", `/accounts/${accountId}/usage`],
      ["GET", `/accounts/${accountId}/events`],
      ["POST", `/accounts/${accountId}/keys`],
      ["DELETE", `/accounts/${accountId}/keys/${k.id}`],
      ["POST", `/accounts/${accountId}/keys/${k.id}/roll`],
      ["DELETE", `/accounts/${accountId}`],
    ] as const) {
      const res = await admin(method, path, method === "POST" ? {} : undefined);
      expect([res.status, (await problemOf(res)).code], `${method} ${path}`).toEqual([404, "unknown_account"]);
    }
    const never = await admin("DELETE", "/accounts/never-put-closing");
    expect([never.status, (await problemOf(never)).code]).toEqual([404, "unknown_account"]);
  });

  it("a later PUT of the same id starts an empty account: no keys, one account.created, no usage", async () => {
    const accountId = await newAccount("pro");
    const k = await newKey(accountId);
    await withKey(k.key, "/v1/competitors");
    await close(accountId);
    expect((await admin("PUT", `/accounts/${accountId}`, { plan: "starter" })).status).toBe(200);
    expect(await (await admin("GET", `/accounts/${accountId}/keys`)).json()).toEqual({ keys: [] });
    const page = (await (await admin("GET", `/accounts/${accountId}/events`)).json()) as { events: { type: string }[] };
    expect(page.events.map((e) => e.type)).toEqual(["account.created"]);
    await sleep(500);
    const usage = (await (await admin("GET", `/accounts/${accountId}/usage`)).json()) as {
      totals: { admitted: number };
    };
    expect(usage.totals.admitted).toBe(0);
    // The old key is refused: KV no longer knows it, and the new account has no such key.
    const res = await withKey(k.key, "/v1/competitors");
    expect([res.status, (await problemOf(res)).code]).toEqual([401, "invalid_key"]);
  });

  it("account.closed is delivered to the webhook, signed, with keys_revoked; nothing else is recorded for the close", async () => {
    const accountId = await newAccount("pro");
    await newKey(accountId);
    await close(accountId, { "X-NearIQ-Actor": "ops@example.com" });
    const until = Date.now() + 8_000;
    let closedEvent: ReceivedWebhook | undefined;
    while (!closedEvent && Date.now() < until) {
      const all = (await (await fetch(`${ORIGIN}/__webhooks`)).json()) as ReceivedWebhook[];
      closedEvent = all.find(
        (d) => d.body.includes(`"account_id":"${accountId}"`) && d.body.includes("account.closed"),
      );
      await sleep(200);
    }
    const event = JSON.parse((closedEvent as ReceivedWebhook).body);
    expect([event.type, event.actor, event.data]).toEqual(["account.closed", "ops@example.com", { keys_revoked: 1 }]);
  }, 15_000);

  it("a leak report of a closed account's key is a false positive", async () => {
    const github = await newSigner(`gh_${tag()}`);
    await publish(github);
    const accountId = await newAccount("pro");
    const k = await newKey(accountId);
    await close(accountId);
    const res = await report(github, JSON.stringify([{ token: k.key, type: "neariq_api_key" }]));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { token_hash: await sha256Hex(k.key), token_type: "neariq_api_key", label: "false_positive" },
    ]);
  });
});

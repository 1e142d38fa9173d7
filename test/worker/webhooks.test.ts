/**
 * Webhook delivery through the EVENTS queue (docs/events.md#webhooks): every event delivered to
 * EVENTS_WEBHOOK_URL (the test origin's stand-in receiver), signed as Standard Webhooks says and
 * verified here with the reference `standardwebhooks` package; retried with the same webhook-id
 * while the receiver fails; a change answers promptly while the receiver is down.
 */
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import type { ReceivedWebhook } from "../support/origin-contract";
import { admin, edge, newAccount, newKey, ORIGIN, sleep } from "./helpers";
import { callWith } from "./support-calls";

const SECRET = (env as unknown as { EVENTS_WEBHOOK_SECRET: string }).EVENTS_WEBHOOK_SECRET;

async function receiverMode(mode: string): Promise<void> {
  await fetch(`${ORIGIN}/__webhook-mode`, { method: "PUT", body: mode });
}

async function deliveries(accountId: string): Promise<ReceivedWebhook[]> {
  const all = (await (await fetch(`${ORIGIN}/__webhooks`)).json()) as ReceivedWebhook[];
  return all.filter((d) => d.body.includes(`"account_id":"${accountId}"`));
}

/** Waits until `count` deliveries of the account answered 2xx, at most `ms`. */
async function delivered(accountId: string, count: number, ms: number): Promise<ReceivedWebhook[]> {
  const until = Date.now() + ms;
  let got: ReceivedWebhook[] = [];
  while (Date.now() < until) {
    got = await deliveries(accountId);
    if (got.filter((d) => d.status >= 200 && d.status < 300).length >= count) return got;
    await sleep(200);
  }
  return got;
}

afterEach(async () => {
  await receiverMode("ok");
});

describe("delivery", () => {
  it("every event is POSTed as JSON, signed; standardwebhooks verifies it; webhook-id is the event id", async () => {
    const accountId = await newAccount("pro");
    await newKey(accountId, { name: "zapier" });
    const got = await delivered(accountId, 2, 8_000);
    const ok = got.filter((d) => d.status >= 200 && d.status < 300);
    expect(ok.length).toBe(2);
    const verifier = new Webhook(SECRET);
    const bodies = ok.map(
      (d) => verifier.verify(d.body, d.headers as Record<string, string>) as { id: string; type: string },
    );
    expect(bodies.map((b) => b.type).sort()).toEqual(["account.created", "key.created"]);
    for (const [i, d] of ok.entries()) {
      expect(d.headers["webhook-id"]).toBe(bodies[i]?.id);
      expect(d.headers["content-type"]).toBe("application/json");
      expect(Math.abs(Number(d.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    }
    const page = (await (await admin("GET", `/accounts/${accountId}/events`)).json()) as { events: unknown[] };
    expect(bodies.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(page.events);
  }, 15_000);

  it("a body or signature changed on the way does not verify", async () => {
    const accountId = await newAccount("pro");
    const [d] = await delivered(accountId, 1, 8_000);
    const verifier = new Webhook(SECRET);
    const headers = (d as ReceivedWebhook).headers as Record<string, string>;
    expect(() => verifier.verify((d as ReceivedWebhook).body.replace("pro", "agency"), headers)).toThrow();
    expect(() => new Webhook(`whsec_${btoa("x".repeat(32))}`).verify((d as ReceivedWebhook).body, headers)).toThrow();
  }, 15_000);

  it("a receiver that fails the first attempts gets the event again, with the same webhook-id, until it answers 2xx", async () => {
    await receiverMode("fail 2");
    const accountId = await newAccount("pro");
    const got = await delivered(accountId, 1, 15_000);
    expect(got.map((d) => d.status)).toEqual([500, 500, 204]);
    expect(new Set(got.map((d) => d.headers["webhook-id"])).size).toBe(1);
    // Each attempt is signed with its own timestamp, and verifies.
    const verifier = new Webhook(SECRET);
    for (const d of got) expect(() => verifier.verify(d.body, d.headers as Record<string, string>)).not.toThrow();
  }, 20_000);

  it("a receiver that does not answer within 10 s: the attempt fails and the event comes again, same webhook-id", async () => {
    await receiverMode("slow");
    const accountId = await newAccount("pro");
    await sleep(1_500); // the first attempt is on its way, and hangs
    await receiverMode("ok");
    const got = await delivered(accountId, 1, 25_000);
    expect(got.length).toBeGreaterThanOrEqual(2);
    expect(got[0]?.status).toBe(0); // the first attempt got no answer
    expect(got[got.length - 1]?.status).toBe(204);
    expect(new Set(got.map((d) => d.headers["webhook-id"])).size).toBe(1);
  }, 35_000);

  it("a change answers promptly while the receiver is down; the event arrives once it is back", async () => {
    await receiverMode("down");
    const started = Date.now();
    const accountId = await newAccount("pro");
    expect(Date.now() - started).toBeLessThan(2_000);
    await sleep(1_500);
    expect((await deliveries(accountId)).every((d) => d.status === 503)).toBe(true);
    await receiverMode("ok");
    const got = await delivered(accountId, 1, 15_000);
    expect(got.filter((d) => d.status >= 200 && d.status < 300).length).toBe(1);
  }, 25_000);
});

describe("configuration", () => {
  it("/healthz names a missing or malformed setting in webhooks, without failing; both unset: exactly {status: ok}", async () => {
    const health = async (vars: Record<string, string>) => {
      const res = await callWith(new Request("http://edge.test/healthz"), vars);
      return [res.status, await res.json()];
    };
    expect(await health({ EVENTS_WEBHOOK_URL: "", EVENTS_WEBHOOK_SECRET: "" })).toEqual([200, { status: "ok" }]);
    const [status, body] = await health({ EVENTS_WEBHOOK_SECRET: "" });
    expect(status).toBe(200);
    expect((body as { webhooks: string }).webhooks).toMatch(/EVENTS_WEBHOOK_SECRET is not set/);
    // Each malformed secret, and the part of it that must never be echoed.
    for (const [secret, part] of [
      ["whsec_", 'whsec_"'],
      ["whsec_abc", "abc"],
      [`whsec_${btoa("x".repeat(23))}`, btoa("x".repeat(23))],
      [`whsec_${btoa("x".repeat(65))}`, btoa("x".repeat(65))],
      [btoa("y".repeat(32)), btoa("y".repeat(32))],
    ] as const) {
      const [s, b] = await health({ EVENTS_WEBHOOK_SECRET: secret });
      expect(s).toBe(200);
      expect((b as { webhooks: string }).webhooks, secret).toMatch(/EVENTS_WEBHOOK_SECRET is not whsec_/);
      expect(JSON.stringify(b)).not.toContain(part);
    }
    const [, relative] = await health({ EVENTS_WEBHOOK_URL: "/hooks" });
    expect((relative as { webhooks: string }).webhooks).toMatch(/EVENTS_WEBHOOK_URL is not an absolute http\(s\) URL/);
    expect(await health({})).toEqual([200, { status: "ok", webhooks: "ok" }]);
    expect((await edge("/healthz")).status).toBe(200);
  });
});

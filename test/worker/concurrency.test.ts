/**
 * Requests that arrive together across a lease renewal (no request awaits another's I/O). Each request
 * is its own invocation of the Worker (`exports.default.fetch`), with its own I/O context: one that
 * awaited another request's authority call would be cancelled by workerd as hung (a bare 500).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyAuthority } from "../../src/authority/key-authority";
import { newAccountWithKey, received, sleep, tag, UNMETERED, withKey } from "./helpers";

const LEASE_MS = 150;

async function checksOf(accountId: string): Promise<number> {
  return runInDurableObject(env.KEY_AUTHORITY.getByName(accountId), (i: KeyAuthority) => i.stats.checks);
}

async function burst(key: string, n: number, t: string): Promise<{ statuses: number[]; hung: number }> {
  const responses = await Promise.all(Array.from({ length: n }, () => withKey(key, `/v1/competitors?t=${t}`)));
  const bodies = await Promise.all(responses.map((r) => r.text()));
  return { statuses: responses.map((r) => r.status), hung: bodies.filter((b) => /hung|canceled/.test(b)).length };
}

describe("concurrent requests across a lease renewal", () => {
  it("200 at once, then 200 at once after the lease ran out: all 200, and they share few authority calls", async () => {
    const { accountId, key } = await newAccountWithKey("agency", {}, UNMETERED);
    const t = tag();
    const first = await burst(key, 200, t);
    expect(first).toEqual({ statuses: Array(200).fill(200), hung: 0 });
    const afterFirst = await checksOf(accountId);
    await sleep(LEASE_MS + 30);
    const second = await burst(key, 200, t);
    expect(second).toEqual({ statuses: Array(200).fill(200), hung: 0 });
    const total = await checksOf(accountId);
    expect((await received(t)).length).toBe(400);
    // Requests that find a call on its way wait for its lease instead of asking again. A request
    // that waited longer than a lease period may ask once more, so allow a few, far below 200.
    expect(afterFirst).toBeGreaterThanOrEqual(1);
    expect(afterFirst).toBeLessThanOrEqual(5);
    expect(total - afterFirst).toBeGreaterThanOrEqual(1);
    expect(total - afterFirst).toBeLessThanOrEqual(5);
  });
});

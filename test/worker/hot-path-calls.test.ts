/**
 * Cost per request, counted (docs/performance.md): KV reads and authority calls on the hot path for
 * each benchmark scenario. The isolate's caches are real; only counters wrap the bindings.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateKey } from "../../src/keys/format";
import { admin, EDGE, newAccount, newAccountWithKey, newKey, problemOf, sleep, UNMETERED } from "./helpers";
import { callWith, countedBindings } from "./support-calls";

function get(key: string, counted: ReturnType<typeof countedBindings>) {
  return callWith(new Request(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": key } }), counted.bindings);
}

const LEASE_MS = 150;

afterEach(() => {
  vi.useRealTimers();
});

describe("cost per request", () => {
  it("a valid key on a warm isolate: no KV read and no authority call while its lease is current", async () => {
    const { key } = await newAccountWithKey("agency", {}, UNMETERED);
    const counted = countedBindings();
    // The clock stands still while the lease is current, however slow the machine.
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    vi.setSystemTime(start);
    expect((await get(key, counted)).status).toBe(200);
    expect([counted.kvReads, counted.authorityCalls]).toEqual([1, 1]);
    for (let i = 0; i < 10; i++) expect((await get(key, counted)).status).toBe(200);
    expect([counted.kvReads, counted.authorityCalls]).toEqual([1, 1]);
    vi.setSystemTime(start + LEASE_MS);
    expect((await get(key, counted)).status).toBe(200);
    expect([counted.kvReads, counted.authorityCalls]).toEqual([1, 2]);
  });

  it("malformed keys: no KV read and no authority call", async () => {
    const counted = countedBindings();
    for (const value of ["x", `niq_live_${"0".repeat(38)}`, "y".repeat(600)]) {
      expect((await get(value, counted)).status).toBe(401);
    }
    expect([counted.kvReads, counted.authorityCalls]).toEqual([0, 0]);
  });

  it("a repeated unknown key: one KV read within the negative-cache period, no authority call", async () => {
    const counted = countedBindings();
    const unknown = generateKey("niq_live_");
    for (let i = 0; i < 10; i++) expect((await get(unknown, counted)).status).toBe(401);
    expect([counted.kvReads, counted.authorityCalls]).toEqual([1, 0]);
  });

  it("a revoked key, once this isolate knows: no KV read and no authority call", async () => {
    const { key, accountId, id } = await newAccountWithKey("agency", {}, UNMETERED);
    await admin("DELETE", `/accounts/${accountId}/keys/${id}`);
    const counted = countedBindings();
    expect((await get(key, counted)).status).toBe(401);
    const first = [counted.kvReads, counted.authorityCalls];
    for (let i = 0; i < 10; i++) expect((await get(key, counted)).status).toBe(401);
    expect([counted.kvReads, counted.authorityCalls]).toEqual(first);
  });

  it("many busy keys of one account: one authority call per lease period renews them all", async () => {
    const accountId = await newAccount("agency", UNMETERED);
    const keys: string[] = [];
    for (let i = 0; i < 8; i++) keys.push((await newKey(accountId)).key);
    const counted = countedBindings();
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    vi.setSystemTime(start);
    for (const key of [...keys, ...keys]) expect((await get(key, counted)).status).toBe(200);
    expect(counted.authorityCalls).toBe(8); // each key's first use; the second rides on its lease
    vi.setSystemTime(start + LEASE_MS); // every lease has run out
    for (const key of keys) expect((await get(key, counted)).status).toBe(200);
    expect(counted.authorityCalls).toBe(9); // the first renews all eight
    expect(counted.kvReads).toBe(8);
  });

  it("concurrent first requests with one key: one authority call, the others wait for its answer", async () => {
    const { key } = await newAccountWithKey("agency", {}, UNMETERED);
    const counted = countedBindings();
    const responses = await Promise.all(Array.from({ length: 10 }, () => get(key, counted)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(counted.authorityCalls).toBe(1);
  });
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

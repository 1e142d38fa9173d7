/**
 * Boundaries to the millisecond, on a controlled clock (docs/lifecycle.md, docs/consistency.md): a
 * key is refused from `expires_at` on, a lease (and the allotment it holds) is used until it runs
 * out, and `expires_at` must be in the future.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearIsolateMemory } from "../../src/admission/isolate-memory";
import { admin, EDGE, newAccountWithKey, problemOf, registerCreatedKey, UNMETERED } from "./helpers";
import { callWith, countedBindings } from "./support-calls";

const LEASE_MS = 150;

afterEach(() => {
  vi.useRealTimers();
});

describe("boundaries to the millisecond, on a controlled clock", () => {
  function get(key: string, counted = countedBindings(), path = "/v1/api-keys/current") {
    return callWith(new Request(`${EDGE}${path}`, { headers: { "X-NearIQ-Key": key } }), counted.bindings);
  }

  it("a key is usable 1 ms before expires_at and refused with expired_key at expires_at", async () => {
    const expiresAt = Date.now() + 60_000;
    const { key } = await newAccountWithKey("pro", { expires_at: new Date(expiresAt).toISOString() });
    clearIsolateMemory();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(expiresAt - 1);
    expect((await get(key)).status).toBe(200);
    vi.setSystemTime(expiresAt);
    const res = await get(key);
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe("expired_key");
  });

  it("a lease is used until 1 ms before it runs out, and renewed at the millisecond it runs out", async () => {
    // An admitted request spends the allotment granted with the lease, which runs out with it.
    const { key } = await newAccountWithKey("agency", {}, UNMETERED);
    clearIsolateMemory();
    const counted = countedBindings();
    vi.useFakeTimers({ toFake: ["Date"] });
    const sentAt = Date.now();
    vi.setSystemTime(sentAt);
    expect((await get(key, counted)).status).toBe(200);
    expect(counted.authorityCalls).toBe(1);
    vi.setSystemTime(sentAt + LEASE_MS - 1);
    expect((await get(key, counted)).status).toBe(200);
    expect(counted.authorityCalls).toBe(1);
    vi.setSystemTime(sentAt + LEASE_MS);
    expect((await get(key, counted)).status).toBe(200);
    expect(counted.authorityCalls).toBe(2);
  });

  it("a key's status is reused until 1 ms before its lease runs out, and asked for at the millisecond it runs out", async () => {
    // Refused at authorization (404 unknown_route), a request spends no allotment: only the lease spares the call.
    const { key } = await newAccountWithKey("agency", {}, UNMETERED);
    clearIsolateMemory();
    const counted = countedBindings();
    const nowhere = async () => {
      const res = await get(key, counted, "/v1/nowhere");
      expect(res.status).toBe(404);
      return (await problemOf(res)).code;
    };
    vi.useFakeTimers({ toFake: ["Date"] });
    const sentAt = Date.now();
    vi.setSystemTime(sentAt);
    expect(await nowhere()).toBe("unknown_route");
    expect(counted.authorityCalls).toBe(1);
    vi.setSystemTime(sentAt + LEASE_MS - 1);
    expect(await nowhere()).toBe("unknown_route");
    expect(counted.authorityCalls).toBe(1);
    vi.setSystemTime(sentAt + LEASE_MS);
    expect(await nowhere()).toBe("unknown_route");
    expect(counted.authorityCalls).toBe(2);
  });
});

describe("expires_at must be in the future, to the millisecond", () => {
  it("refuses now and a second ago with 400 invalid_request, and accepts 1 ms from now", async () => {
    const { accountId } = await newAccountWithKey();
    vi.useFakeTimers({ toFake: ["Date"] });
    const now = Date.now();
    vi.setSystemTime(now);
    for (const at of [now - 1_000, now]) {
      const res = await admin("POST", `/accounts/${accountId}/keys`, { expires_at: new Date(at).toISOString() });
      expect(res.status).toBe(400);
      expect((await problemOf(res)).code).toBe("invalid_request");
    }
    const res = await admin("POST", `/accounts/${accountId}/keys`, { expires_at: new Date(now + 1).toISOString() });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { key: string; expires_at: string };
    expect(created.expires_at).toBe(new Date(now + 1).toISOString());
    await registerCreatedKey(created.key);
  });
});

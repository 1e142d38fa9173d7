/**
 * Authority leases (docs/performance.md): strong consistency without an authority call on every
 * request. The test configuration grants leases of 150 ms (AUTH_LEASE_MS in vitest.config.ts).
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { KeyAuthority } from "../../src/authority/key-authority";
import { sha256Hex } from "../../src/keys/hash";
import {
  admin,
  EDGE,
  newAccountWithKey,
  newKey,
  problemOf,
  received,
  registerCreatedKey,
  sleep,
  tag,
  UNMETERED,
  withKey,
} from "./helpers";
import { callWith } from "./support-calls";

const LEASE_MS = 150;

async function checksOf(accountId: string): Promise<number> {
  return runInDurableObject(env.KEY_AUTHORITY.getByName(accountId), (i: KeyAuthority) => i.stats.checks);
}

describe("leases", () => {
  it("a warm isolate asks the authority once per lease period, not per request", async () => {
    const { accountId, key } = await newAccountWithKey("agency", {}, UNMETERED);
    const before = await checksOf(accountId);
    const started = Date.now();
    for (let i = 0; i < 20; i++) expect((await withKey(key, "/v1/competitors")).status).toBe(200);
    const elapsed = Date.now() - started;
    const checks = (await checksOf(accountId)) - before;
    // One check, plus one per lease period the 20 requests took on a slow machine.
    expect(checks).toBeGreaterThanOrEqual(1);
    expect(checks).toBeLessThanOrEqual(1 + Math.floor(elapsed / LEASE_MS));
    expect(checks).toBeLessThan(20);
    await sleep(LEASE_MS + 20);
    expect((await withKey(key, "/v1/competitors")).status).toBe(200);
    expect((await checksOf(accountId)) - before).toBe(checks + 1);
  });

  it("AUTH_LEASE_MS=0 asks the authority on every request", async () => {
    const { accountId, key } = await newAccountWithKey("agency", {}, UNMETERED);
    const before = await checksOf(accountId);
    for (let i = 0; i < 10; i++) {
      const res = await callWith(new Request(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": key } }), {
        AUTH_LEASE_MS: "0",
      });
      expect(res.status).toBe(200);
    }
    expect((await checksOf(accountId)) - before).toBe(10);
  });

  it("a revoke answers only once the leases on the key have run out; without a lease it answers at once", async () => {
    const { accountId, key, id } = await newAccountWithKey("agency", {}, UNMETERED);
    const other = await newAccountWithKey("agency", {}, UNMETERED);
    // No lease on `other`'s key for longer than a lease period: its revoke need not wait.
    await withKey(other.key, "/v1/competitors");
    await sleep(LEASE_MS + 50);
    let started = Date.now();
    await admin("DELETE", `/accounts/${other.accountId}/keys/${other.id}`);
    expect(Date.now() - started).toBeLessThan(LEASE_MS);
    // A lease was just granted on `key`: the revoke waits it out.
    expect((await withKey(key, "/v1/competitors")).status).toBe(200);
    started = Date.now();
    await admin("DELETE", `/accounts/${accountId}/keys/${id}`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(LEASE_MS - 40);
    expect((await problemOf(await withKey(key, "/v1/competitors"))).code).toBe("revoked_key");
  });

  it("an authority evicted mid-lease waits out a full lease period before answering a revoke", async () => {
    const { accountId, key, id } = await newAccountWithKey("agency", {}, UNMETERED);
    const t = tag();
    expect((await withKey(key, `/v1/competitors?t=${t}&before`)).status).toBe(200);
    const stub = env.KEY_AUTHORITY.getByName(accountId);
    await evictDurableObject(stub);
    const started = Date.now();
    expect((await admin("DELETE", `/accounts/${accountId}/keys/${id}`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(LEASE_MS - 40);
    const res = await withKey(key, `/v1/competitors?t=${t}&after`);
    expect((await problemOf(res)).code).toBe("revoked_key");
    expect((await received(t)).map((r) => r.query)).toEqual([`?t=${t}&before`]);
  });
});

describe("leases renewed together", () => {
  it("a key whose lease was renewed alongside another's is still refused right after its revoke", async () => {
    const { accountId, key: first } = await newAccountWithKey("agency", {}, UNMETERED);
    const second = await newKey(accountId);
    const t = tag();
    expect((await withKey(first, `/v1/competitors?t=${t}&a`)).status).toBe(200);
    expect((await withKey(second.key, `/v1/competitors?t=${t}&b`)).status).toBe(200);
    expect((await withKey(second.key, `/v1/competitors?t=${t}&b`)).status).toBe(200);
    await sleep(LEASE_MS + 20);
    // This call renews the second key's lease too: it was used since its lease was granted.
    const before = await checksOf(accountId);
    expect((await withKey(first, `/v1/competitors?t=${t}&c`)).status).toBe(200);
    expect((await withKey(second.key, `/v1/competitors?t=${t}&d`)).status).toBe(200);
    expect((await checksOf(accountId)) - before).toBe(1);
    await admin("DELETE", `/accounts/${accountId}/keys/${second.id}`);
    expect((await problemOf(await withKey(second.key, `/v1/competitors?t=${t}&e`))).code).toBe("revoked_key");
    expect((await received(t)).map((r) => r.query.slice(-1))).toEqual(["a", "b", "b", "c", "d"]);
  });

  it("does not renew a key no request used since its lease was granted", async () => {
    const { accountId, key: first } = await newAccountWithKey("agency", {}, UNMETERED);
    const idle = await newKey(accountId);
    expect((await withKey(first, "/v1/competitors")).status).toBe(200);
    expect((await withKey(idle.key, "/v1/competitors")).status).toBe(200);
    await sleep(LEASE_MS + 20);
    const before = await checksOf(accountId);
    expect((await withKey(first, "/v1/competitors")).status).toBe(200);
    expect((await withKey(idle.key, "/v1/competitors")).status).toBe(200);
    expect((await checksOf(accountId)) - before).toBe(2);
  });

  it("records last use only for keys a request used", async () => {
    const { accountId, key: used, id: usedId } = await newAccountWithKey("agency", {}, UNMETERED);
    const idle = await newKey(accountId);
    const [usedHash, idleHash] = await Promise.all([sha256Hex(used), sha256Hex(idle.key)]);
    const checks = await runInDurableObject(env.KEY_AUTHORITY.getByName(accountId), (i: KeyAuthority) =>
      i.checkKeys(
        [
          { keyId: usedId, hash: usedHash, used: true, wants: 1, returning: null },
          { keyId: idle.id, hash: idleHash, used: false, wants: 1, returning: null },
        ],
        LEASE_MS,
      ),
    );
    expect(checks?.map((c) => [c.key?.id, c.key?.lastUsedAt !== null, c.leaseMs])).toEqual([
      [usedId, true, LEASE_MS],
      [idle.id, false, LEASE_MS],
    ]);
  });
});

describe("races: requests in flight while the state changes", () => {
  async function race(
    rounds: number,
    setUp: () => Promise<{ key: string; path: string; change: () => Promise<Response> }>,
    expectAfter: (res: Response) => Promise<void>,
  ) {
    for (let round = 0; round < rounds; round++) {
      const { key, path, change } = await setUp();
      const t = tag();
      let changed = false;
      let stop = false;
      const after: { t: string; res: Response }[] = [];
      let beforeCount = 0;
      const clients = Array.from({ length: 6 }, async (_, c) => {
        for (let n = 0; !stop; n++) {
          const startedAfterChange = changed;
          const marker = `${t}-${c}-${n}`;
          const res = await withKey(key, `${path}?t=${marker}`);
          if (startedAfterChange) after.push({ t: marker, res });
          else {
            beforeCount++;
            await res.body?.cancel();
          }
        }
      });
      await sleep(Math.floor(Math.random() * 40));
      const answered = await change();
      expect([200, 201]).toContain(answered.status);
      await answered.body?.cancel();
      changed = true;
      // Let every client start (and finish) requests after the change.
      const deadline = Date.now() + 3_000;
      while (after.length < 12 && Date.now() < deadline) await sleep(10);
      stop = true;
      await Promise.all(clients);
      expect(beforeCount).toBeGreaterThan(0);
      expect(after.length).toBeGreaterThan(0);
      for (const { res } of after) await expectAfter(res);
      const afterMarkers = new Set(after.map((a) => a.t));
      const leaked = (await received(t)).filter((r) =>
        afterMarkers.has(new URL(r.url, EDGE).searchParams.get("t") ?? ""),
      );
      expect(leaked).toEqual([]);
    }
  }

  it("a revoke: every request that starts after it answered is refused and never forwarded", async () => {
    await race(
      12,
      async () => {
        const { accountId, key, id } = await newAccountWithKey("agency", {}, UNMETERED);
        return {
          key,
          path: "/v1/competitors",
          change: () => admin("DELETE", `/accounts/${accountId}/keys/${id}`),
        };
      },
      async (res) => {
        expect(res.status).toBe(401);
        expect((await problemOf(res)).code).toBe("revoked_key");
      },
    );
  }, 60_000);

  it("a roll with grace 0: every request with the old key that starts after it answered is refused", async () => {
    await race(
      10,
      async () => {
        const { accountId, key, id } = await newAccountWithKey("agency", {}, UNMETERED);
        return {
          key,
          path: "/v1/competitors",
          change: async () => {
            const res = await admin("POST", `/accounts/${accountId}/keys/${id}/roll`, { grace_seconds: 0 });
            const rolled = (await res.clone().json()) as { key: string };
            await registerCreatedKey(rolled.key);
            return res;
          },
        };
      },
      async (res) => {
        expect(res.status).toBe(401);
        expect((await problemOf(res)).code).toBe("expired_key");
      },
    );
  }, 60_000);

  it("a plan change: every request that starts after it answered is judged by the new plan", async () => {
    await race(
      8,
      async () => {
        const { accountId, key } = await newAccountWithKey("pro", { scopes: ["export"] }, UNMETERED);
        return { key, path: "/v1/export", change: () => admin("PUT", `/accounts/${accountId}`, { plan: "starter" }) };
      },
      async (res) => {
        expect(res.status).toBe(403);
        expect((await problemOf(res)).code).toBe("plan_required");
      },
    );
  }, 60_000);
});

afterEach(() => {
  vi.useRealTimers();
});
describe("the authority grants no lease for a key that cannot be used", () => {
  it("leaseMs is 0 for a revoked and for an expired key, and the lease length for an active one", async () => {
    const expiresAt = Date.now() + 60_000;
    const { accountId, key: activeKey, id: activeId } = await newAccountWithKey();
    const revoked = await newKey(accountId);
    const expiring = await newKey(accountId, { expires_at: new Date(expiresAt).toISOString() });
    await admin("DELETE", `/accounts/${accountId}/keys/${revoked.id}`);
    const [activeHash, revokedHash, expiringHash] = await Promise.all(
      [activeKey, revoked.key, expiring.key].map((k) => sha256Hex(k)),
    );
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(expiresAt);
    const checks = await runInDurableObject(env.KEY_AUTHORITY.getByName(accountId), (i: KeyAuthority) =>
      i.checkKeys(
        [
          { keyId: activeId, hash: activeHash, used: false, wants: 1, returning: null },
          { keyId: revoked.id, hash: revokedHash, used: false, wants: 1, returning: null },
          { keyId: expiring.id, hash: expiringHash, used: false, wants: 1, returning: null },
        ],
        LEASE_MS,
      ),
    );
    expect(checks?.map((c) => [c.key?.id, c.leaseMs])).toEqual([
      [activeId, LEASE_MS],
      [revoked.id, 0],
      [expiring.id, 0],
    ]);
  });
});

/**
 * Faults fail closed (docs/consistency.md): KV, the authority or storage failing answers 503
 * `auth_unavailable` and forwards nothing; writes the authority owes KV are never lost.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { clearIsolateMemory } from "../../src/admission/isolate-memory";
import { KeyAuthority } from "../../src/authority/key-authority";
import { generateKey, keyHint } from "../../src/keys/format";
import { sha256Hex } from "../../src/keys/hash";
import {
  ADMIN_TOKEN,
  EDGE,
  newAccount,
  newAccountWithKey,
  newKey,
  problemOf,
  received,
  sleep,
  tag,
  withKey,
} from "./helpers";
import { callWith } from "./support-calls";

const never = () => new Promise<never>(() => {});

function kvWhoseGet(get: () => Promise<unknown>): KVNamespace {
  return { ...env.API_KEYS, get } as unknown as KVNamespace;
}

function authorityWhoseCheck(check: () => unknown): DurableObjectNamespace {
  // `checkKeys` is the hot path's one call to the authority.
  return { getByName: () => ({ checkKeys: check }) } as unknown as DurableObjectNamespace;
}

async function expectUnavailable(res: Response, t: string) {
  expect(res.status).toBe(503);
  expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
  expect((await problemOf(res)).code).toBe("auth_unavailable");
  expect(await received(t)).toEqual([]);
}

describe("storage and authority failures fail closed (503 auth_unavailable)", () => {
  it("KV get throwing", async () => {
    const { key } = await newAccountWithKey();
    clearIsolateMemory();
    const t = tag();
    const req = new Request(`${EDGE}/v1/competitors?t=${t}`, { headers: { "X-NearIQ-Key": key } });
    await expectUnavailable(
      await callWith(req, { API_KEYS: kvWhoseGet(() => Promise.reject(new Error("kv down"))) }),
      t,
    );
  });

  it("KV get stalling is cut off by AUTH_TIMEOUT_MS", async () => {
    const { key } = await newAccountWithKey();
    clearIsolateMemory();
    const t = tag();
    const req = new Request(`${EDGE}/v1/competitors?t=${t}`, { headers: { "X-NearIQ-Key": key } });
    const started = Date.now();
    const res = await callWith(req, { API_KEYS: kvWhoseGet(never), AUTH_TIMEOUT_MS: "100" });
    expect(Date.now() - started).toBeLessThan(1000);
    await expectUnavailable(res, t);
  });

  it("the authority's RPC throwing, reporting overload, or stalling", async () => {
    const overloaded = Object.assign(new Error("Durable Object is overloaded"), { overloaded: true });
    const behaviours: [string, () => unknown][] = [
      ["throws", () => Promise.reject(new Error("boom"))],
      ["overloaded", () => Promise.reject(overloaded)],
      ["stalls", never],
    ];
    for (const [, check] of behaviours) {
      const { key } = await newAccountWithKey();
      clearIsolateMemory();
      const t = tag();
      const req = new Request(`${EDGE}/v1/competitors?t=${t}`, { headers: { "X-NearIQ-Key": key } });
      await expectUnavailable(
        await callWith(req, { KEY_AUTHORITY: authorityWhoseCheck(check), AUTH_TIMEOUT_MS: "100" }),
        t,
      );
    }
  });

  it("the authority namespace itself failing", async () => {
    const { key } = await newAccountWithKey();
    clearIsolateMemory();
    const t = tag();
    const broken = {
      getByName: () => {
        throw new Error("no such namespace");
      },
    };
    const req = new Request(`${EDGE}/v1/competitors?t=${t}`, { headers: { "X-NearIQ-Key": key } });
    await expectUnavailable(await callWith(req, { KEY_AUTHORITY: broken }), t);
  });

  it("a storage error inside the authority", async () => {
    const { key, accountId } = await newAccountWithKey();
    clearIsolateMemory();
    const stub = env.KEY_AUTHORITY.getByName(accountId);
    await runInDurableObject(stub, (_: KeyAuthority, state) => {
      state.storage.sql.exec("ALTER TABLE api_keys RENAME TO api_keys_gone");
    });
    const t = tag();
    await expectUnavailable(await withKey(key, `/v1/competitors?t=${t}`), t);
    await runInDurableObject(stub, (_: KeyAuthority, state) => {
      state.storage.sql.exec("ALTER TABLE api_keys_gone RENAME TO api_keys");
    });
    expect((await withKey(key, `/v1/competitors?t=${t}`)).status).toBe(200);
  });

  it("the admin API answers 503 auth_unavailable when the authority fails", async () => {
    const res = await callWith(
      new Request(`${EDGE}/_admin/accounts/acme`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }),
      { KEY_AUTHORITY: { getByName: () => ({ getAccount: () => Promise.reject(new Error("x")) }) } },
    );
    expect(res.status).toBe(503);
    expect((await problemOf(res)).code).toBe("auth_unavailable");
  });
});

describe("no lost writes between the authority and KV (outbox + alarm)", () => {
  const failingKv = { put: () => Promise.reject(new Error("KV write failed")) } as unknown as KVNamespace;

  /**
   * Runs `work` with an authority over the account's own storage whose KV is `kv` (its constructor's
   * bindings are its one seam): what it commits is the account's, what it writes through goes to `kv`.
   */
  function withAuthorityWritingTo<T>(accountId: string, kv: KVNamespace, work: (a: KeyAuthority) => Promise<T>) {
    const stub = env.KEY_AUTHORITY.getByName(accountId);
    return runInDurableObject(stub, (_: KeyAuthority, state) =>
      work(new KeyAuthority(state, { ...env, API_KEYS: kv })),
    );
  }

  /** A new live key, created through `authority`: the key and its id. */
  async function createThrough(authority: KeyAuthority): Promise<{ key: string; id: string; hash: string }> {
    const key = generateKey("niq_live_");
    const hash = await sha256Hex(key);
    const created = await authority.createKey({
      hash,
      hint: keyHint(key, "niq_live_"),
      name: null,
      scopes: ["competitors:read"],
      expiresAt: null,
      rateLimitPerMinute: null,
      allowedIps: null,
      mode: "live",
    });
    if (!created.ok) throw new Error(`create failed: ${created.code}`);
    return { key, id: created.value.id, hash };
  }

  it("a create whose KV write fails is still committed, and the alarm writes KV until it agrees", async () => {
    const accountId = await newAccount();
    const stub = env.KEY_AUTHORITY.getByName(accountId);
    const { key, hash } = await withAuthorityWritingTo(accountId, failingKv, createThrough);
    expect(await env.API_KEYS.get(`key:${hash}`)).toBeNull();
    const pending = await runInDurableObject(stub, async (_: KeyAuthority, state) => ({
      rows: state.storage.sql.exec("SELECT kv_key FROM kv_outbox").toArray(),
      alarm: await state.storage.getAlarm(),
    }));
    expect(pending.rows).toEqual([{ kv_key: `key:${hash}` }]);
    expect(pending.alarm).not.toBeNull();
    // Still failing: the alarm keeps the entry and schedules another try.
    await withAuthorityWritingTo(accountId, failingKv, (authority) => authority.alarm());
    expect(await env.API_KEYS.get(`key:${hash}`)).toBeNull();
    const kept = await runInDurableObject(stub, async (_: KeyAuthority, state) => ({
      rows: state.storage.sql.exec("SELECT kv_key FROM kv_outbox").toArray(),
      alarm: await state.storage.getAlarm(),
    }));
    expect(kept.rows).toEqual([{ kv_key: `key:${hash}` }]);
    expect(kept.alarm).not.toBeNull();
    // KV is back: the account's own alarm writes the record.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(JSON.parse((await env.API_KEYS.get(`key:${hash}`)) ?? "null")).toMatchObject({ account_id: accountId });
    clearIsolateMemory();
    expect((await withKey(key, `/v1/competitors?t=${tag()}`)).status).toBe(200);
  });

  it("a revoke whose KV write fails is still committed, and the key is refused at once", async () => {
    const accountId = await newAccount();
    const { id, key } = await newKey(accountId);
    const hash = await sha256Hex(key);
    const revoked = await withAuthorityWritingTo(accountId, failingKv, (authority) => authority.revokeKey(id));
    expect(revoked.ok).toBe(true);
    expect(JSON.parse((await env.API_KEYS.get(`key:${hash}`)) ?? "{}").revoked_at).toBeNull();
    clearIsolateMemory();
    const t = tag();
    const refused = await withKey(key, `/v1/competitors?t=${t}`);
    expect((await problemOf(refused)).code).toBe("revoked_key");
    await runDurableObjectAlarm(env.KEY_AUTHORITY.getByName(accountId));
    expect(JSON.parse((await env.API_KEYS.get(`key:${hash}`)) ?? "{}").revoked_at).toMatch(/Z$/);
    expect(await received(t)).toEqual([]);
  });

  it("a retried create never overwrites a later revoke in KV (flushes run one at a time)", async () => {
    const accountId = await newAccount();
    const { id, hash } = await withAuthorityWritingTo(accountId, failingKv, createThrough);
    // KV is back, but slow to take the create's record: the revoke's record is written meanwhile.
    const slowForLiveRecords = {
      put: async (k: string, value: string) => {
        if (JSON.parse(value).revoked_at === null) await sleep(300);
        return env.API_KEYS.put(k, value);
      },
    } as unknown as KVNamespace;
    await withAuthorityWritingTo(accountId, slowForLiveRecords, async (authority) => {
      const retry = authority.alarm();
      await sleep(50);
      expect((await authority.revokeKey(id)).ok).toBe(true);
      await retry;
    });
    expect(JSON.parse((await env.API_KEYS.get(`key:${hash}`)) ?? "{}").revoked_at).toMatch(/Z$/);
  });
});

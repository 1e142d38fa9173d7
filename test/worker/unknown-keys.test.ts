/**
 * Unknown well-formed keys (docs/performance.md): an isolate remembers that KV
 * does not know a key for 10 s, and a request that finds the entry in its last 2 s has KV asked
 * again in the background, so that a key presented again and again never waits on KV, while the
 * entry never says more than what KV said at most 10 s ago.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_UNKNOWN_REFRESHES, unknownKeys } from "../../src/admission/isolate-memory";
import app from "../../src/index";
import { generateKey } from "../../src/keys/format";
import { sha256Hex } from "../../src/keys/hash";
import { EDGE, newAccountWithKey, problemOf, UNMETERED } from "./helpers";
import { callWith, countedBindings } from "./support-calls";

const TTL_MS = 10_000; // how long an unknown key is remembered (docs/storage-schema.md)
const REFRESH_MS = 2_000; // its last 2 s: asked again in the background

function request(key: string): Request {
  return new Request(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": key } });
}

/** KV whose reads are held until `release()`: to see whether a request waits for one. */
function gatedKv() {
  const held: (() => void)[] = [];
  let reads = 0;
  const kv = {
    get(...args: unknown[]) {
      reads++;
      return new Promise<void>((resolve) => held.push(resolve)).then(() =>
        (env.API_KEYS.get as (...a: unknown[]) => Promise<unknown>)(...args),
      );
    },
  };
  return {
    bindings: { API_KEYS: kv as unknown as KVNamespace },
    reads: () => reads,
    release: () => {
      for (const go of held.splice(0)) go();
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("unknown keys: remembered 10 s, asked again in the background in the last 2 s", () => {
  it("a key presented again and again costs one KV read per period, none of them awaited after the first", async () => {
    const unknown = generateKey("niq_live_");
    const counted = countedBindings();
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    vi.setSystemTime(start);
    expect((await callWith(request(unknown), counted.bindings)).status).toBe(401);
    expect(counted.kvReads).toBe(1);
    vi.setSystemTime(start + TTL_MS - REFRESH_MS - 1);
    expect((await callWith(request(unknown), counted.bindings)).status).toBe(401);
    expect(counted.kvReads).toBe(1);
    vi.setSystemTime(start + TTL_MS - REFRESH_MS); // the entry's last 2 s: one background read
    expect((await callWith(request(unknown), counted.bindings)).status).toBe(401);
    expect(counted.kvReads).toBe(2);
    expect((await callWith(request(unknown), counted.bindings)).status).toBe(401);
    expect(counted.kvReads).toBe(2);
    vi.setSystemTime(start + TTL_MS + 1); // past the first entry's end: the refreshed one holds
    expect((await callWith(request(unknown), counted.bindings)).status).toBe(401);
    expect(counted.kvReads).toBe(2);
    vi.setSystemTime(start + 2 * TTL_MS - 2 * REFRESH_MS); // the refreshed entry's last 2 s
    expect((await callWith(request(unknown), counted.bindings)).status).toBe(401);
    expect(counted.kvReads).toBe(3);
    expect(counted.authorityCalls).toBe(0);
  });

  it("the refusing request answers before the background read settles", async () => {
    const unknown = generateKey("niq_live_");
    const hash = await sha256Hex(unknown);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now());
    unknownKeys.set(hash, { until: Date.now() + REFRESH_MS - 1, refreshing: false });
    const kv = gatedKv();
    const ctx = createExecutionContext();
    const res = await app.fetch(request(unknown), { ...env, ...kv.bindings }, ctx);
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe("invalid_key");
    expect(kv.reads()).toBe(1); // on its way, held
    kv.release();
    await waitOnExecutionContext(ctx);
  });

  it("a key KV comes to know is found by the background read, and only then", async () => {
    const { key } = await newAccountWithKey("agency", {}, UNMETERED);
    const hash = await sha256Hex(key);
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    vi.setSystemTime(start);
    // As if this isolate had asked KV before the key's record reached it.
    unknownKeys.set(hash, { until: start + REFRESH_MS + 1_000, refreshing: false });
    expect((await problemOf(await callWith(request(key)))).code).toBe("invalid_key");
    vi.setSystemTime(start + 1_000); // the entry's last 2 s: this request is refused, and KV asked
    expect((await problemOf(await callWith(request(key)))).code).toBe("invalid_key");
    expect((await callWith(request(key))).status).toBe(200);
  });

  it("a background read that fails extends nothing: once the entry ends, a request asks KV itself", async () => {
    const unknown = generateKey("niq_live_");
    const hash = await sha256Hex(unknown);
    const failing = { API_KEYS: { get: () => Promise.reject(new Error("KV is down")) } };
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    vi.setSystemTime(start);
    unknownKeys.set(hash, { until: start + 1_000, refreshing: false });
    expect((await problemOf(await callWith(request(unknown), failing))).code).toBe("invalid_key");
    vi.setSystemTime(start + 1_000);
    const res = await callWith(request(unknown), failing);
    expect(res.status).toBe(503);
    expect((await problemOf(res)).code).toBe("auth_unavailable");
  });

  it(`at most ${MAX_UNKNOWN_REFRESHES} background reads at once per isolate`, async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now());
    const keys = Array.from({ length: MAX_UNKNOWN_REFRESHES + 5 }, () => generateKey("niq_live_"));
    for (const key of keys) {
      unknownKeys.set(await sha256Hex(key), {
        until: Date.now() + REFRESH_MS - 1,
        refreshing: false,
      });
    }
    const kv = gatedKv();
    const ctx = createExecutionContext();
    for (const key of keys) expect((await app.fetch(request(key), { ...env, ...kv.bindings }, ctx)).status).toBe(401);
    expect(kv.reads()).toBe(64);
    kv.release();
    await waitOnExecutionContext(ctx);
  });
});

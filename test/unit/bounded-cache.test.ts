import { describe, expect, it } from "vitest";
import { leases, MAX_ENTRIES, records, unknownKeys } from "../../src/admission/isolate-memory";
import { BoundedCache } from "../../src/memory/bounded-cache";

describe("BoundedCache", () => {
  it("never holds more than its bound, dropping the least recently used", () => {
    const cache = new BoundedCache<string, number>(3);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect(cache.get("a")).toBe(1); // a is now the most recent
    cache.set("d", 4);
    expect(cache.size).toBe(3);
    expect(cache.get("b")).toBeUndefined();
    expect([cache.get("a"), cache.get("c"), cache.get("d")]).toEqual([1, 3, 4]);
  });

  it("bounds every isolate cache at 10,000 entries, even after 100,000 distinct keys", () => {
    for (const cache of [records, unknownKeys, leases] as BoundedCache<string, never>[]) {
      expect(cache.maxEntries).toBe(MAX_ENTRIES);
    }
    for (let i = 0; i < 100_000; i++) unknownKeys.set(`hash-${i}`, { until: i, refreshing: false });
    expect(unknownKeys.size).toBe(10_000);
    expect(unknownKeys.get("hash-99999")).toEqual({ until: 99_999, refreshing: false });
    expect(unknownKeys.get("hash-0")).toBeUndefined();
    unknownKeys.clear();
  });
});

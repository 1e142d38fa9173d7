import { describe, expect, it } from "vitest";
import { LeaseLedger } from "../../src/authority/lease-ledger";

describe("LeaseLedger", () => {
  it("grants at most the configured lease, and nothing for a request of 0", () => {
    const ledger = new LeaseLedger(2_000, 0);
    expect(ledger.grant("k1", 10_000, 5_000)).toBe(2_000);
    expect(ledger.grant("k2", 10_000, 500)).toBe(500);
    expect(ledger.grant("k3", 10_000, 0)).toBe(0);
  });

  it("is quiet for a key when its latest lease has run out, and for the account when all have", () => {
    const ledger = new LeaseLedger(2_000, 0);
    ledger.grant("k1", 10_000, 2_000);
    ledger.grant("k1", 9_000, 2_000); // an older grant never shortens the latest
    ledger.grant("k2", 11_000, 2_000);
    expect(ledger.quietAt("k1")).toBe(12_000);
    expect(ledger.quietAt("k2")).toBe(13_000);
    expect(ledger.quietAt()).toBe(13_000);
    expect(ledger.quietAt("never-leased")).toBe(2_000);
  });

  it("after a restart, waits one full lease period from its start (earlier grants are forgotten)", () => {
    const ledger = new LeaseLedger(2_000, 50_000);
    expect(ledger.quietAt("k1")).toBe(52_000);
    expect(ledger.quietAt()).toBe(52_000);
    expect(new LeaseLedger(0, 50_000).quietAt()).toBe(50_000);
  });
});

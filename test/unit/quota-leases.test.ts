/**
 * Quota leases, the arithmetic (issue: rate limits and quotas): many virtual isolates spend
 * allotments from one authority, with random traffic, clocks, leases and window boundaries. The
 * authority's grant and credit functions and the isolate's holder functions are the real ones; only
 * the store is a map. Property: in every window, the requests admitted never exceed its limit.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { creditUnspent, grantAllotment, type MeteredWindow, type QuotaStore } from "../../src/authority/quota-ledger";
import { grantSize, remainingKnown, wantedAllotment } from "../../src/limits/allotment";
import {
  type QuotaHolder,
  receive,
  spendOne,
  takeReturning,
  wants,
  windowReports,
} from "../../src/limits/held-allotment";
import { windowAt } from "../../src/limits/windows";

class MapStore implements QuotaStore {
  readonly counts = new Map<string, number>();
  granted(scope: string, start: number): number {
    return this.counts.get(`${scope}@${start}`) ?? 0;
  }
  set(scope: string, start: number, _end: number, granted: number): void {
    this.counts.set(`${scope}@${start}`, granted);
  }
}

interface Isolate {
  holder: QuotaHolder;
}

/** One isolate's request at `now`: spend, or give back and ask (as src/auth/authority-check + admit do). */
function request(store: QuotaStore, windows: MeteredWindow[], isolate: Isolate, now: number, leaseMs: number): boolean {
  if (spendOne(isolate.holder, now)) return true;
  const returning = takeReturning(isolate.holder, now);
  const wanted = wants(isolate.holder, now, leaseMs);
  if (returning) creditUnspent(store, windows, returning, now);
  const grant = grantAllotment(store, windows, wanted, now);
  const holder: QuotaHolder = { allotment: isolate.holder.allotment, admitted: 0, since: now };
  receive(holder, grant, leaseMs > 0 ? now + leaseMs : Number.POSITIVE_INFINITY, now);
  isolate.holder = holder;
  return spendOne(holder, now);
}

const START = Date.UTC(2026, 10, 27, 23, 58, 30); // crosses a minute and a day boundary within 2 minutes

describe("quota leases (property-based, 600 runs)", () => {
  it("many isolates, random traffic, clocks and leases: admitted per window ≤ its limit, always", () => {
    fc.assert(
      fc.property(
        fc.record({
          isolates: fc.integer({ min: 1, max: 8 }),
          keyMinute: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
          minute: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
          day: fc.option(fc.integer({ min: 1, max: 200 }), { nil: null }),
          leaseMs: fc.constantFrom(0, 150, 2_000, 10_000),
          traffic: fc.array(fc.record({ isolate: fc.nat(7), gapMs: fc.integer({ min: 0, max: 3_000 }) }), {
            maxLength: 400,
          }),
        }),
        ({ isolates, keyMinute, minute, day, leaseMs, traffic }) => {
          const windows: MeteredWindow[] = [];
          if (keyMinute !== null) windows.push({ name: "key-minute", scope: "key:k", limit: keyMinute });
          if (minute !== null) windows.push({ name: "minute", scope: "account:minute", limit: minute });
          if (day !== null) windows.push({ name: "day", scope: "account:day", limit: day });
          fc.pre(windows.length > 0);
          const store = new MapStore();
          const fleet: Isolate[] = Array.from({ length: isolates }, () => ({
            holder: { allotment: null, admitted: 0, since: START },
          }));
          const admitted = new Map<string, number>();
          let now = START;
          for (const { isolate, gapMs } of traffic) {
            now += gapMs;
            const where = fleet[isolate % isolates] as Isolate;
            if (!request(store, windows, where, now, leaseMs)) continue;
            for (const w of windows) {
              const id = `${w.scope}@${windowAt(w.name, now).start}`;
              admitted.set(id, (admitted.get(id) ?? 0) + 1);
            }
          }
          for (const [id, count] of admitted) {
            const window = windows.find((w) => id.startsWith(`${w.scope}@`));
            expect(count, id).toBeLessThanOrEqual(window?.limit ?? -1);
          }
        },
      ),
      { numRuns: 600 },
    );
  });

  it("a lone client, one request at a time, into a fresh window: exactly the limit, r down by 1 each time", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.constantFrom(0, 150, 2_000),
        fc.integer({ min: 0, max: 40 }),
        (limit, leaseMs, stepMs) => {
          const windows: MeteredWindow[] = [{ name: "minute", scope: "account:minute", limit }];
          const store = new MapStore();
          const client: Isolate = { holder: { allotment: null, admitted: 0, since: START } };
          const windowStart = windowAt("minute", START).start + 60_000;
          let now = windowStart;
          let admittedCount = 0;
          let lastR = limit;
          // Enough requests to use the window up, all inside it.
          const step = Math.min(stepMs, Math.floor(59_000 / (limit + 2)));
          for (let i = 0; i < limit + 2; i++) {
            if (request(store, windows, client, now, leaseMs)) {
              admittedCount++;
              const held = client.holder.allotment;
              if (!held) throw new Error("an admitted request left no allotment behind");
              const [report] = windowReports(held);
              expect(report?.remaining).toBe(lastR - 1);
              lastR = report?.remaining ?? -1;
            }
            now += step;
          }
          expect(windowAt("minute", now).start).toBe(windowStart);
          expect(admittedCount).toBe(limit);
        },
      ),
      { numRuns: 600 },
    );
  });
});

describe("allotment arithmetic", () => {
  const w = (limit: number, granted: number) => ({ name: "minute" as const, limit, granted, start: 0, end: 60_000 });

  it("grants at most a quarter of what is left (at least one), never past a limit, 0 when full", () => {
    expect(grantSize([w(100, 0)], 1_000)).toBe(25);
    expect(grantSize([w(100, 0)], 3)).toBe(3);
    expect(grantSize([w(100, 97)], 10)).toBe(1);
    expect(grantSize([w(100, 99)], 10)).toBe(1);
    expect(grantSize([w(100, 100)], 10)).toBe(0);
    expect(grantSize([w(100, 0), w(10, 9)], 10)).toBe(1);
    expect(grantSize([w(100, 0), w(10, 10)], 10)).toBe(0);
    expect(grantSize([], 7)).toBe(7);
  });

  it("reports r from the authority's count and what the isolate holds, within 0 and the limit", () => {
    expect(remainingKnown(60, 10, 5)).toBe(55);
    expect(remainingKnown(60, 60, 0)).toBe(0);
    expect(remainingKnown(60, 70, 0)).toBe(0);
    expect(remainingKnown(60, 0, 0)).toBe(60);
  });

  it("asks for what the recent rate needs over a lease, a few without history, one without leases", () => {
    expect(wantedAllotment(0, 0, 2_000)).toBe(4);
    expect(wantedAllotment(100, 100, 2_000)).toBe(2_500);
    expect(wantedAllotment(5, 0, 2_000)).toBe(12_500);
    expect(wantedAllotment(100, 100, 0)).toBe(1);
  });
});

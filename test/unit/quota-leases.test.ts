/**
 * Quota leases, the arithmetic (docs/limits.md#exact-everywhere): many virtual isolates spend
 * allotments from one authority, with random traffic, clocks, leases and window boundaries. The
 * authority's grant and credit functions and the isolate's holder functions are the real ones; only
 * the store is a map. Property: in every window, the requests admitted never exceed its limit.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { creditUnspent, grantAllotment, type MeteredWindow, type QuotaStore } from "../../src/authority/quota-ledger";
import { windowAt } from "../../src/domain/windows";
import { grantSize, remainingKnown, wantedAllotment } from "../../src/limits/allotment";
import {
  type QuotaHolder,
  receive,
  spendOne,
  takeReturning,
  wants,
  windowReports,
} from "../../src/limits/held-allotment";

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
  /** This isolate's clock minus the authority's (clocks drift apart a little). */
  skewMs: number;
}

/**
 * One ask of an isolate, as src/admission/authority-check does it: give back the unspent rest, let the
 * authority (on its own clock) credit and grant, take the grant in (keeping a rest still held).
 */
function ask(store: QuotaStore, windows: MeteredWindow[], isolate: Isolate, now: number, leaseMs: number): void {
  const local = now + isolate.skewMs;
  const returning = takeReturning(isolate.holder);
  const wanted = wants(isolate.holder, local, leaseMs);
  if (returning) creditUnspent(store, windows, returning, now);
  const grant = grantAllotment(store, windows, wanted, now);
  const holder: QuotaHolder = { allotment: isolate.holder.allotment, admitted: 0, since: local };
  receive(holder, grant, leaseMs > 0 ? local + leaseMs : Number.POSITIVE_INFINITY, local);
  isolate.holder = holder;
}

/** One request at the isolate: spend, or ask and spend. The window it counts in is the one its allotment was granted in. */
function request(
  store: QuotaStore,
  windows: MeteredWindow[],
  isolate: Isolate,
  now: number,
  leaseMs: number,
): string | null {
  const local = now + isolate.skewMs;
  if (!spendOne(isolate.holder, local)) {
    ask(store, windows, isolate, now, leaseMs);
    if (!spendOne(isolate.holder, local)) return null;
  }
  const held = isolate.holder.allotment;
  return held ? `${held.minuteStart}/${held.dayStart}` : null;
}

const START = Date.UTC(2026, 10, 27, 23, 58, 30); // crosses a minute and a day boundary within 2 minutes

describe("quota leases (property-based, 600 runs)", () => {
  it("many isolates, random traffic, renewals, skewed clocks and leases: admitted per window ≤ its limit, always", () => {
    fc.assert(
      fc.property(
        fc.record({
          isolates: fc.integer({ min: 1, max: 8 }),
          keyMinute: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
          minute: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
          day: fc.option(fc.integer({ min: 1, max: 200 }), { nil: null }),
          leaseMs: fc.constantFrom(0, 150, 2_000, 10_000),
          skews: fc.array(fc.integer({ min: -3_000, max: 3_000 }), { minLength: 8, maxLength: 8 }),
          traffic: fc.array(
            fc.record({
              isolate: fc.nat(7),
              // Mostly bursts, now and then a pause that crosses a lease or a window.
              gapMs: fc.oneof(
                { weight: 4, arbitrary: fc.integer({ min: 0, max: 50 }) },
                { weight: 1, arbitrary: fc.integer({ min: 0, max: 6_000 }) },
              ),
              renew: fc.boolean(),
            }),
            { minLength: 20, maxLength: 400, size: "max" },
          ),
        }),
        ({ isolates, keyMinute, minute, day, leaseMs, skews, traffic }) => {
          const windows: MeteredWindow[] = [];
          if (keyMinute !== null) windows.push({ name: "key-minute", scope: "key:k", limit: keyMinute });
          if (minute !== null) windows.push({ name: "minute", scope: "account:minute", limit: minute });
          if (day !== null) windows.push({ name: "day", scope: "account:day", limit: day });
          fc.pre(windows.length > 0);
          const store = new MapStore();
          const fleet: Isolate[] = skews.slice(0, isolates).map((skewMs) => ({
            holder: { allotment: null, admitted: 0, since: START },
            skewMs,
          }));
          // Requests admitted, by the windows their allotment was granted in (minute start / day start).
          const admitted = new Map<string, number>();
          let now = START;
          for (const { isolate, gapMs, renew } of traffic) {
            now += gapMs;
            const where = fleet[isolate % fleet.length] as Isolate;
            // A renewal alongside another key's call gives back and asks even while the allotment is good.
            if (renew) ask(store, windows, where, now, leaseMs);
            const grantedIn = request(store, windows, where, now, leaseMs);
            if (grantedIn !== null) admitted.set(grantedIn, (admitted.get(grantedIn) ?? 0) + 1);
          }
          const perWindow = (name: "minute" | "day") => {
            const counts = new Map<string, number>();
            for (const [windowsKey, count] of admitted) {
              const [minuteStart, dayStart] = windowsKey.split("/");
              const id = name === "day" ? dayStart : minuteStart;
              counts.set(id as string, (counts.get(id as string) ?? 0) + count);
            }
            return [...counts.values()];
          };
          const minuteLimit = Math.min(keyMinute ?? Number.POSITIVE_INFINITY, minute ?? Number.POSITIVE_INFINITY);
          for (const count of perWindow("minute")) expect(count).toBeLessThanOrEqual(minuteLimit);
          for (const count of perWindow("day")) expect(count).toBeLessThanOrEqual(day ?? Number.POSITIVE_INFINITY);
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
          const client: Isolate = { holder: { allotment: null, admitted: 0, since: START }, skewMs: 0 };
          const windowStart = windowAt("minute", START).start + 60_000;
          let now = windowStart;
          let admittedCount = 0;
          let lastR = limit;
          // Enough requests to use the window up, all inside it.
          const step = Math.min(stepMs, Math.floor(59_000 / (limit + 2)));
          for (let i = 0; i < limit + 2; i++) {
            if (request(store, windows, client, now, leaseMs) !== null) {
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

describe("credits given back", () => {
  const windows: MeteredWindow[] = [
    { name: "minute", scope: "account:minute", limit: 100 },
    { name: "day", scope: "account:day", limit: 1_000 },
  ];

  it("go only to the windows the allotment was granted in, never to a window that began since", () => {
    const store = new MapStore();
    const t0 = Date.UTC(2026, 10, 27, 12, 0, 30);
    const grant = grantAllotment(store, windows, 10, t0);
    expect(grant.granted).toBe(10);
    // Back within the same minute: both windows credited.
    const debited = grant.windows.map((w) => ({ name: w.name, start: w.start }));
    creditUnspent(store, windows, { unspent: 4, windows: debited }, t0 + 1_000);
    expect([store.granted("account:minute", grant.minuteStart), store.granted("account:day", grant.dayStart)]).toEqual([
      6, 6,
    ]);
    // Given back in the next minute: only the day (still the same) is credited.
    const next = t0 + 60_000;
    grantAllotment(store, windows, 5, next);
    creditUnspent(store, windows, { unspent: 3, windows: debited }, next);
    expect([
      store.granted("account:minute", grant.minuteStart),
      store.granted("account:minute", grant.minuteStart + 60_000),
      store.granted("account:day", grant.dayStart),
    ]).toEqual([6, 5, 8]);
  });
});

describe("a rest held when its minute ends", () => {
  it("is given back, and credited to the day it debited: a day of 20 admits exactly 20 across the boundary", () => {
    const windows: MeteredWindow[] = [
      { name: "minute", scope: "account:minute", limit: null },
      { name: "day", scope: "account:day", limit: 20 },
    ];
    const store = new MapStore();
    const t0 = Date.UTC(2026, 10, 27, 12, 0, 30);
    const isolate: Isolate = { holder: { allotment: null, admitted: 0, since: t0 }, skewMs: 0 };
    expect(request(store, windows, isolate, t0, 10_000)).not.toBeNull();
    expect(isolate.holder.allotment?.remaining).toBe(3); // a grant of 4, one spent
    let admitted = 1;
    for (let i = 0; i < 30; i++) if (request(store, windows, isolate, t0 + 60_000, 10_000) !== null) admitted++;
    expect(admitted).toBe(20);
    expect(store.granted("account:day", windowAt("day", t0).start)).toBe(20);
  });

  it("is never spent once given back", () => {
    const windows: MeteredWindow[] = [{ name: "day", scope: "account:day", limit: 20 }];
    const t0 = Date.UTC(2026, 10, 27, 12, 0, 30);
    const holder: QuotaHolder = { allotment: null, admitted: 0, since: t0 };
    receive(holder, grantAllotment(new MapStore(), windows, 4, t0), t0 + 10_000, t0);
    expect(takeReturning(holder)).toEqual({
      unspent: 4,
      windows: [{ name: "day", start: windowAt("day", t0).start }],
    });
    expect(spendOne(holder, t0 + 1)).toBe(false); // within its minute and lease, yet nothing to spend
    expect(takeReturning(holder)).toBeNull();
  });
});

describe("limits that change during a window (property-based, 400 runs)", () => {
  it("after a change, a window admits at most max(what it had admitted, the new limit), credits going only where grants took from", () => {
    type Limit = number | null;
    const limitArb = fc.option(fc.integer({ min: 1, max: 40 }), { nil: null });
    fc.assert(
      fc.property(
        fc.record({
          keyMinutes: fc.array(limitArb, { minLength: 1, maxLength: 3 }),
          isolates: fc.integer({ min: 1, max: 4 }),
          leaseMs: fc.constantFrom(0, 150, 2_000),
          initial: fc.record({ minute: limitArb, day: fc.option(fc.integer({ min: 1, max: 120 }), { nil: null }) }),
          steps: fc.array(
            fc.oneof(
              {
                weight: 6,
                arbitrary: fc.record({ isolate: fc.nat(3), key: fc.nat(2), gapMs: fc.integer({ min: 0, max: 3_000 }) }),
              },
              {
                weight: 1,
                arbitrary: fc.record({
                  minute: limitArb,
                  day: fc.option(fc.integer({ min: 1, max: 120 }), { nil: null }),
                }),
              },
            ),
            { minLength: 10, maxLength: 300 },
          ),
        }),
        ({ keyMinutes, isolates, leaseMs, initial, steps }) => {
          const store = new MapStore();
          let limits: { minute: Limit; day: Limit } = initial;
          const windowsOf = (key: number): MeteredWindow[] => {
            const own = keyMinutes[key] ?? null;
            return [
              ...(own === null ? [] : [{ name: "key-minute" as const, scope: `key:${key}`, limit: own }]),
              { name: "minute", scope: "account:minute", limit: limits.minute },
              { name: "day", scope: "account:day", limit: limits.day },
            ];
          };
          // Per isolate and key, the allotment held (as in the isolate's lease memory).
          const fleet: Isolate[][] = Array.from({ length: isolates }, () =>
            keyMinutes.map(() => ({ holder: { allotment: null, admitted: 0, since: START }, skewMs: 0 })),
          );
          // Per window instance: requests admitted, and the most it may have (raised or lowered by changes).
          const admitted = new Map<string, number>();
          const ceiling = new Map<string, number>();
          const ceilingOf = (id: string, limit: Limit) => ceiling.get(id) ?? limit ?? Number.POSITIVE_INFINITY;
          let now = START;
          for (const step of steps) {
            if ("minute" in step) {
              limits = step;
              // The change answers once every lease has run out: nothing held may be spent afterwards.
              for (const holders of fleet) {
                for (const { holder } of holders) {
                  if (holder.allotment) holder.allotment = { ...holder.allotment, until: now };
                }
              }
              for (const name of ["minute", "day"] as const) {
                const id = `${name}@${windowAt(name, now).start}`;
                ceiling.set(id, Math.max(admitted.get(id) ?? 0, limits[name] ?? Number.POSITIVE_INFINITY));
              }
              continue;
            }
            now += step.gapMs;
            const key = step.key % keyMinutes.length;
            const isolate = (fleet[step.isolate % fleet.length] as Isolate[])[key] as Isolate;
            const windows = windowsOf(key);
            if (request(store, windows, isolate, now, leaseMs) === null) continue;
            for (const w of isolate.holder.allotment?.windows ?? []) {
              const id = w.name === "key-minute" ? `key:${key}@${w.start}` : `${w.name}@${w.start}`;
              const count = (admitted.get(id) ?? 0) + 1;
              admitted.set(id, count);
              const limit = windows.find((m) => m.name === w.name)?.limit ?? null;
              expect(count).toBeLessThanOrEqual(ceilingOf(id, limit));
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("credits given back when the windows changed since the grant", () => {
  it("never go to a window the grant did not debit (a limit added since)", () => {
    const store = new MapStore();
    const t0 = Date.UTC(2026, 10, 27, 12, 0, 30);
    // The grant debited only the day: the key's own minute did not apply then.
    const before: MeteredWindow[] = [{ name: "day", scope: "account:day", limit: 1_000 }];
    const grant = grantAllotment(store, before, 10, t0);
    const minute: MeteredWindow = { name: "key-minute", scope: "key:k", limit: 5 };
    for (let i = 0; i < 5; i++) grantAllotment(store, [minute], 1, t0 + 100); // someone used the minute up
    const debited = grant.windows.map((w) => ({ name: w.name, start: w.start }));
    creditUnspent(store, [minute, ...before], { unspent: 10, windows: debited }, t0 + 200);
    expect(store.granted("key:k", grant.minuteStart)).toBe(5);
    expect(store.granted("account:day", grant.dayStart)).toBe(0);
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
    expect(grantSize([], 7)).toBe(1_000); // no limit: a grant only counts, so it is generous
    expect(grantSize([{ ...w(100, 0), limit: null }], 5_000)).toBe(5_000);
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

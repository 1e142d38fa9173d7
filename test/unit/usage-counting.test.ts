/**
 * Counting usage across isolates (docs/usage.md#counting), property-based: several isolates count
 * requests and hand them in, with the next call or on their own; hand-ins fail, succeed with the
 * answer lost, arrive late and out of order, and isolates go away. The isolates' counter is the
 * real one; the authority applies a hand-in once by its id, as src/authority/usage-ledger.ts does.
 * Property: no request is ever counted twice; every request of an isolate that stays is counted
 * once everything has been handed in; an isolate that goes away loses only what it had not handed in.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { UsageHandIn } from "../../src/domain/usage";
import { UsageCounter } from "../../src/usage/counter";

class Authority {
  readonly applied = new Set<string>();
  readonly totals = new Map<string, number>();
  apply(handIn: UsageHandIn): void {
    if (this.applied.has(handIn.id)) return;
    this.applied.add(handIn.id);
    for (const c of handIn.counts) {
      const id = `${c.keyId}|${c.hour}|${c.outcome}`;
      this.totals.set(id, (this.totals.get(id) ?? 0) + c.count);
    }
  }
  total(): number {
    return [...this.totals.values()].reduce((a, b) => a + b, 0);
  }
}

const HOUR = 3_600_000;
const START = Date.UTC(2026, 11, 1, 9, 59, 0);
const MAX_STEPS = 200;

/** Takes every hand-in the counter holds, each passed to `each` then marked handed in; fails if one comes back. */
function drain(counter: UsageCounter, each: (handIn: UsageHandIn) => void): void {
  // At most one hand-in per step of a run, and one for what is still counted.
  for (let taken = 0; ; taken++) {
    const handIn = counter.take("acct");
    if (!handIn) return;
    if (taken > MAX_STEPS) throw new Error("the counter never empties: a hand-in marked handed in comes back");
    each(handIn);
    counter.handedIn("acct", handIn);
  }
}

describe("usage counting across isolates (property-based, 500 runs)", () => {
  it("never twice; exact for isolates that stay; isolates that go away lose only what they held", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            {
              weight: 6,
              arbitrary: fc.record({
                kind: fc.constant("request" as const),
                isolate: fc.nat(3),
                key: fc.constantFrom("key_a", "key_b"),
                outcome: fc.constantFrom("admitted" as const, "revoked_key" as const, "rate_limited" as const),
                gapMs: fc.integer({ min: 0, max: 20 * 60_000 }),
              }),
            },
            {
              weight: 3,
              arbitrary: fc.record({
                kind: fc.constant("handIn" as const),
                isolate: fc.nat(3),
                // delivered: applied and answered; lost: applied, the answer lost; failed: never applied;
                // late: in flight, applied later (after other hand-ins).
                fate: fc.constantFrom("delivered", "lost", "failed", "late"),
              }),
            },
            { weight: 1, arbitrary: fc.record({ kind: fc.constant("deliverLate" as const), index: fc.nat(20) }) },
            { weight: 1, arbitrary: fc.record({ kind: fc.constant("goAway" as const), isolate: fc.nat(3) }) },
          ),
          { minLength: 1, maxLength: MAX_STEPS },
        ),
        (steps) => {
          const authority = new Authority();
          let isolates = [0, 1, 2, 3].map((i) => new UsageCounter(`isolate-${i}`));
          let generation = 4;
          let everCountedSoFar = 0;
          let lostToGoingAway = 0;
          const inFlight: { isolate: number; handIn: UsageHandIn }[] = [];
          let now = START;
          for (const step of steps) {
            if (step.kind === "request") {
              now += step.gapMs;
              (isolates[step.isolate] as UsageCounter).count("acct", step.key, "live", step.outcome, now);
              everCountedSoFar++;
            } else if (step.kind === "handIn") {
              const counter = isolates[step.isolate] as UsageCounter;
              const handIn = counter.take("acct");
              if (!handIn) continue;
              if (step.fate === "delivered") {
                authority.apply(handIn);
                counter.handedIn("acct", handIn);
              } else if (step.fate === "lost") {
                authority.apply(handIn); // applied, but the isolate never hears: it will send it again
              } else if (step.fate === "late") {
                inFlight.push({ isolate: step.isolate, handIn });
              }
            } else if (step.kind === "deliverLate") {
              const [late] = inFlight.splice(step.index % Math.max(1, inFlight.length), 1);
              if (late) authority.apply(late.handIn);
            } else {
              // The isolate goes away: whatever it had not handed in is lost (its counts and unsent hand-ins).
              const counter = isolates[step.isolate] as UsageCounter;
              let pending = 0;
              drain(counter, (h) => {
                if (!authority.applied.has(h.id) && !inFlight.some((f) => f.handIn === h)) {
                  pending += h.counts.reduce((a, c) => a + c.count, 0);
                }
              });
              lostToGoingAway += pending;
              isolates = isolates.map((c, i) => (i === step.isolate ? new UsageCounter(`isolate-${generation++}`) : c));
            }
            // Never more than was counted, at any moment.
            expect(authority.total()).toBeLessThanOrEqual(everCountedSoFar);
          }
          // Everything still held is handed in at last, late ones arrive.
          for (const f of inFlight) authority.apply(f.handIn);
          for (const counter of isolates) drain(counter, (h) => authority.apply(h));
          const everCounted = steps.filter((s) => s.kind === "request").length;
          expect(authority.total()).toBe(everCounted - lostToGoingAway);
          // Every bucket is an hour start.
          for (const id of authority.totals.keys()) expect(Number(id.split("|")[1]) % HOUR).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});

/**
 * @module
 * Handing counted usage to the account's authority on its own, for accounts whose traffic brings
 * no authority call (docs/usage.md#counting): one background hand-in per account per isolate at a
 * time, at most {@link HAND_IN_MS} after the first count it carries. It runs on the `waitUntil` of
 * the request that counted first, never awaited by any request.
 */
import { askAuthority, authorityFor } from "../authority/client";
import { COUNTED_REFUSALS, type Outcome } from "../domain/usage";
import type { Bindings } from "../env";
import type { RequestState } from "../http/request-state";
import { usageCounter } from "./counter";

const COUNTED = new Set<string>(COUNTED_REFUSALS);

/**
 * Counts the request in its key's usage, if its key is known: admitted, or refused at rows 4–9a
 * with `code`. Schedules a background hand-in when the account has none waiting.
 */
export function countUsage(state: RequestState, code: string | null): void {
  const { account_id: accountId, key_id: keyId, mode } = state.log;
  if (accountId === null || keyId === null || mode === null) return;
  let outcome: Outcome;
  if (state.admitted) outcome = "admitted";
  else if (code !== null && COUNTED.has(code)) outcome = code as Outcome;
  else return;
  if (usageCounter.count(accountId, keyId, mode === "test" ? "test" : "live", outcome, state.receivedAt)) {
    state.background(handInLater(state.env, accountId, state.config.usageHandInMs, state.config.authTimeoutMs));
  }
}

async function handInLater(env: Bindings, accountId: string, afterMs: number, timeoutMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  usageCounter.ran(accountId);
  const handIn = usageCounter.take(accountId);
  if (!handIn) return;
  try {
    await askAuthority(() => authorityFor(env, accountId).handInUsage(handIn), timeoutMs);
    usageCounter.handedIn(accountId, handIn);
  } catch {
    // Kept, with its id: the next call or hand-in takes it again, and the authority applies it once.
  }
}

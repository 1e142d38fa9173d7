/**
 * @module
 * Calls to an account's key authority from the edge, with a deadline; any failure is
 * `auth_unavailable` (fail closed).
 */
import type { Bindings, EdgeConfig } from "../env";
import { withDeadline } from "../http/deadline";
import { ProblemError } from "../http/problem";

export function authUnavailable(): ProblemError {
  return new ProblemError("auth_unavailable", "Keys could not be checked right now; retry shortly.");
}

/**
 * How long a call that changes something may take: the authority may wait out the leases it
 * granted (up to `AUTH_LEASE_MS`) before it answers, on top of the usual deadline.
 */
export function changeDeadline(config: EdgeConfig): number {
  return config.authLeaseMs + config.authTimeoutMs;
}

/** The stub of `accountId`'s authority: one Durable Object per account. */
export function authorityFor(env: Bindings, accountId: string) {
  return env.KEY_AUTHORITY.getByName(accountId);
}

/**
 * `call()`'s answer, or `auth_unavailable` when it throws or takes longer than `ms`.
 *
 * @example
 * const account = await askAuthority(() => authorityFor(env, id).getAccount(), 2000);
 */
export async function askAuthority<T>(call: () => Promise<T>, ms: number): Promise<T> {
  try {
    return await withDeadline(call(), ms, "the key authority");
  } catch {
    throw authUnavailable();
  }
}

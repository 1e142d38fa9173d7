/**
 * Calls the app with some bindings replaced or counted: only what lies outside the edge is ever
 * made to fail; KV and the authority stay real underneath the counters.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import app from "../../src/index";

export async function callWith(request: Request, overrides: Record<string, unknown> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(request, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export interface Counted {
  kvReads: number;
  /** Calls that check keys (the hot path's), or change or read anything but usage. */
  authorityCalls: number;
  /** Usage handed in on its own, for traffic that brings no other call (docs/usage.md#counting). */
  handIns: number;
  /** The bindings to pass to {@link callWith}: the real KV and authority, counted. */
  bindings: Record<string, unknown>;
}

export function countedBindings(): Counted {
  const counted: Counted = { kvReads: 0, authorityCalls: 0, handIns: 0, bindings: {} };
  const kv = new Proxy(env.API_KEYS, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === "get") {
        return (...args: unknown[]) => {
          counted.kvReads++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const authority = {
    getByName(name: string) {
      const stub = env.KEY_AUTHORITY.getByName(name);
      // The calls the edge makes outside the admin API, each counted.
      return {
        checkKeys: (...args: Parameters<typeof stub.checkKeys>) => {
          counted.authorityCalls++;
          return stub.checkKeys(...args);
        },
        revokeLeaked: (...args: Parameters<typeof stub.revokeLeaked>) => {
          counted.authorityCalls++;
          return stub.revokeLeaked(...args);
        },
        handInUsage: (...args: Parameters<typeof stub.handInUsage>) => {
          counted.handIns++;
          return stub.handInUsage(...args);
        },
      };
    },
  };
  // A short hand-in delay: `callWith` waits for the request's background work, hand-ins included.
  counted.bindings = { API_KEYS: kv, KEY_AUTHORITY: authority, USAGE_HAND_IN_MS: "5" };
  return counted;
}

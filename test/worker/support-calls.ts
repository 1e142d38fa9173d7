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
  authorityCalls: number;
  /** The bindings to pass to {@link callWith}: the real KV and authority, counted. */
  bindings: Record<string, unknown>;
}

export function countedBindings(): Counted {
  const counted: Counted = { kvReads: 0, authorityCalls: 0, bindings: {} };
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
      counted.authorityCalls++;
      return env.KEY_AUTHORITY.getByName(name);
    },
  };
  counted.bindings = { API_KEYS: kv, KEY_AUTHORITY: authority };
  return counted;
}

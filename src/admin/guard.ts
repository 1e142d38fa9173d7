/**
 * @module
 * The gate in front of the admin API: no API key may ever manage keys, the API is off without a
 * long enough `ADMIN_TOKEN`, and the bearer token is compared in constant time.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../http/app-env";
import { canonicalHeaderName } from "../http/header-name";
import { ProblemError } from "../http/problem";

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}

/** Compares digests, so that neither the token's length nor its content shows in the timing. */
async function sameToken(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(presented), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** `X-NearIQ-Key`, or a look-alike that an origin stack would fold into it (`X-NearIQ_Key`). */
function carriesApiKeyHeader(headers: Headers): boolean {
  if (headers.has("x-neariq-key")) return true;
  for (const [name] of headers) if (canonicalHeaderName(name) === "x-neariq-key") return true;
  return false;
}

function bearerToken(header: string | undefined): string | null {
  const match = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  return match ? (match[1] ?? null) : null;
}

/**
 * Refuses a request under `/_admin` that carries `X-NearIQ-Key` (403 `key_management_forbidden`),
 * answers 503 `admin_disabled` without a usable token, and 401 `admin_unauthorized` for a wrong one.
 *
 * @example
 * admin.use("*", guardAdmin);
 */
export const guardAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (carriesApiKeyHeader(c.req.raw.headers)) {
    throw new ProblemError("key_management_forbidden", "API keys cannot manage API keys; use the admin token.");
  }
  const expected = c.var.state.config.adminToken;
  if (!expected) throw new ProblemError("admin_disabled", "The admin API is disabled: ADMIN_TOKEN is not set.");
  const presented = bearerToken(c.req.header("authorization"));
  if (!presented || !(await sameToken(presented, expected))) {
    throw new ProblemError("admin_unauthorized", "A valid admin bearer token is required.");
  }
  await next();
  c.header("Cache-Control", "no-store");
});

/**
 * An origin service written with Hono that trusts only what the edge signed. Deploy it as a
 * Worker or run it on Node; `neariqAssertion` verifies every request before any handler runs.
 */

import type { VerifyOptions } from "@neariq/edge-verify";
import { type NearIQVariables, neariqAssertion } from "@neariq/edge-verify/hono";
import { Hono } from "hono";

/** @example createOriginApp({ jwksUrl: "https://edge.example.com/.well-known/jwks.json", audience: "https://api.internal" }) */
export function createOriginApp(options: VerifyOptions) {
  const app = new Hono<{ Variables: NearIQVariables }>();
  app.use("/v1/*", neariqAssertion(options));
  app.get("/v1/usage", (c) => {
    const { sub: accountId, key_id, plan, scopes } = c.var.neariq;
    return c.json({ account_id: accountId, key_id, plan, scopes });
  });
  return app;
}

/**
 * @module
 * A Hono middleware for origin services: requests without a valid assertion get 401; others
 * carry the verified claims in `c.var.neariq`.
 *
 * @example
 * import { neariqAssertion } from "@neariq/edge-verify/hono";
 * app.use("/v1/*", neariqAssertion({ jwksUrl, audience }));
 * app.get("/v1/usage", (c) => c.json({ account: c.var.neariq.sub }));
 */
import { createMiddleware } from "hono/factory";
import { AssertionError, createVerifier, type NearIQClaims, type VerifyOptions } from "./index.js";

export type NearIQVariables = { neariq: NearIQClaims };

export function neariqAssertion(options: VerifyOptions) {
  const verify = createVerifier(options);
  return createMiddleware<{ Variables: NearIQVariables }>(async (c, next) => {
    try {
      c.set("neariq", await verify(c.req.raw));
    } catch (error) {
      const code = error instanceof AssertionError ? error.code : "invalid_assertion";
      return c.json(
        {
          type: "about:blank",
          title: "Unauthorized",
          status: 401,
          detail: "A valid NearIQ assertion is required.",
          code,
        },
        401,
        { "Content-Type": "application/problem+json" },
      );
    }
    await next();
  });
}

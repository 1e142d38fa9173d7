/**
 * @module
 * The edge, top to bottom. Every `/v1` request goes: request id → configuration check →
 * key-in-URL guard → authenticate → IP allowlist → route policy and authorize → admit (rate limits and quotas) →
 * the edge's own answer or the origin. Beside it: the admin API, leaked-key reports from GitHub,
 * `/healthz` and the JWKS.
 */
import { type Context, Hono } from "hono";
import { adminApi } from "./admin/api";
import { presentCurrentKey } from "./admin/present";
import type { AppEnv } from "./app-env";
import { admit } from "./auth/admit";
import { authenticate } from "./auth/authenticate";
import { authorize } from "./auth/authorize";
import { refuseOutsideAllowlist } from "./auth/ip-allowlist";
import { refuseKeyInUrl } from "./auth/key-in-url";
import { ProblemError, problemResponse } from "./http/problem";
import { requestContext } from "./http/request-context";
import { signAssertion } from "./origin/assertion";
import { assertionClaims, claimHeaders } from "./origin/claims";
import { forwardToOrigin, originTarget } from "./origin/forward";
import { originHeaders } from "./origin/headers";
import { jwksFor } from "./origin/signing-key";
import { secretScanningReport } from "./partners/github-secret-scanning";
import { requireReady, requireSigningKey } from "./readiness";

export const app = new Hono<AppEnv>();

app.use("*", requestContext);

app.get("/healthz", async (c) => {
  c.var.log.route = "/healthz";
  await requireReady(c.env, c.var.config);
  return c.json({ status: "ok" });
});

app.get("/.well-known/jwks.json", async (c) => {
  c.var.log.route = "/.well-known/jwks.json";
  const signingKey = await requireSigningKey(c.env);
  c.header("Cache-Control", "public, max-age=300");
  return c.json(jwksFor(signingKey, c.env.ASSERTION_PREVIOUS_PUBLIC_JWK));
});

app.route("/_admin", adminApi);

app.post("/_partners/github/secret-scanning", secretScanningReport);

/** Every request under `/v1`: the whole decision, then the edge's own answer or the origin's. */
async function apiRequest(c: Context<AppEnv>): Promise<Response> {
  const { config, log, requestId } = c.var;
  const request = c.req.raw;
  const ready = await requireReady(c.env, config);
  const url = new URL(request.url);
  refuseKeyInUrl(url, config.keyPattern);
  const principal = await authenticate(request.headers, c.env, config, log);
  refuseOutsideAllowlist(principal.key, request.headers);
  const route = authorize(request.method, url.pathname, principal);
  log.route = route.path;
  c.set("rateLimit", await admit(principal, c.env, config, log));
  if (route.answeredByEdge) {
    c.header("Cache-Control", "no-store");
    return request.method === "HEAD" ? c.body(null, 200) : c.json(presentCurrentKey(principal));
  }
  const target = originTarget(ready.originUrl, url);
  const claims = assertionClaims(principal, requestId, request.method, target, ready.audience);
  const assertion = await signAssertion(ready.signingKey, claims);
  const headers = originHeaders(request.headers, config.keyPattern, claimHeaders(claims, assertion));
  const started = Date.now();
  try {
    return await forwardToOrigin(request, target, headers, config.originTimeoutMs);
  } finally {
    log.origin_ms = Date.now() - started;
  }
}

app.all("/v1", apiRequest);
app.all("/v1/*", apiRequest);

app.notFound(() => {
  throw new ProblemError("unknown_route", "No route for this method and path.");
});

app.onError((error, c) => {
  const problem =
    error instanceof ProblemError ? error : new ProblemError("internal_error", "Something went wrong on our side.");
  if (!(error instanceof ProblemError))
    console.error(JSON.stringify({ request_id: c.var.requestId, error: String(error) }));
  c.var.log.code = problem.code;
  return problemResponse(problem, c.var.requestId);
});

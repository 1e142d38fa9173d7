/**
 * @module
 * The edge, top to bottom. Every `/v1` request goes: request id → configuration check →
 * key-in-URL guard → authenticate → IP allowlist → route policy and authorize → the origin of the
 * key's mode (live, or the sandbox for test keys) → admit (rate limits and quotas) → the edge's own
 * answer or the origin; then it is counted in its key's usage. Beside it: the admin API, leaked-key
 * reports from GitHub, `/healthz` and the JWKS, routed by Hono. The Worker's entry,
 * {@link fetchEdge}, is at the bottom.
 */
import { Hono } from "hono";
import { adminApi } from "./admin/api";
import { admit } from "./admission/admit";
import { authenticate } from "./auth/authenticate";
import { authorize } from "./auth/authorize";
import { presentCurrentKey } from "./auth/current-key";
import { refuseOutsideAllowlist } from "./auth/ip-allowlist";
import { refuseKeyInUrl } from "./auth/key-in-url";
import type { Bindings } from "./env";
import { webhookSettings } from "./events/webhook-config";
import type { AppEnv } from "./http/app-env";
import { ProblemError } from "./http/problem";
import { APP_MIDDLEWARE, errorAnswer, serveRequest } from "./http/request-context";
import type { RequestState } from "./http/request-state";
import { signAssertion } from "./origin/assertion";
import { assertionClaims, claimHeaders } from "./origin/claims";
import { forwardToOrigin, originTarget } from "./origin/forward";
import { originHeaders } from "./origin/headers";
import { jwksFor } from "./origin/signing-key";
import { secretScanningReport } from "./partners/github-secret-scanning";
import { requireReady, requireSigningKey, requireTestOrigin } from "./readiness";
import { countUsage } from "./usage/hand-in";

export const app = new Hono<AppEnv>();

for (const middleware of APP_MIDDLEWARE) app.use("*", middleware);

app.get("/healthz", async (c) => {
  await requireReady(c.env, c.var.state.config);
  const webhooks = webhookSettings(c.env).status;
  return c.json(webhooks === null ? { status: "ok" } : { status: "ok", webhooks });
});

app.get("/.well-known/jwks.json", async (c) => {
  const signingKey = await requireSigningKey(c.env);
  c.header("Cache-Control", "public, max-age=300");
  return c.json(jwksFor(signingKey, c.env.ASSERTION_PREVIOUS_PUBLIC_JWK));
});

app.route("/_admin", adminApi);

app.post("/_partners/github/secret-scanning", secretScanningReport);

/** Every request under `/v1`: the whole decision, then the edge's own answer or the origin's; counted in usage. */
async function apiRequest(request: Request, url: URL, state: RequestState): Promise<Response> {
  try {
    const response = await decideAndAnswer(request, url, state);
    countUsage(state, null);
    return response;
  } catch (error) {
    countUsage(state, error instanceof ProblemError ? error.code : null);
    throw error;
  }
}

async function decideAndAnswer(request: Request, url: URL, state: RequestState): Promise<Response> {
  const { config, log, requestId } = state;
  const ready = await requireReady(state.env, config);
  refuseKeyInUrl(url, config.keyPattern);
  const { caller, handle } = await authenticate(request.headers, state);
  refuseOutsideAllowlist(caller.key, request.headers);
  const route = authorize(request.method, url.pathname, caller);
  log.route = route.path;
  const origin = caller.key.mode === "test" ? requireTestOrigin(config) : ready;
  const admission = await admit(handle, state);
  if (!admission.admitted) throw admission.refusal;
  state.rateLimit = admission.rateLimit;
  state.admitted = true;
  if (route.answeredByEdge) {
    const headers = { "Cache-Control": "no-store" };
    return request.method === "HEAD"
      ? new Response(null, { status: 200, headers })
      : Response.json(presentCurrentKey(caller), { headers });
  }
  const target = originTarget(origin.originUrl, url);
  const claims = assertionClaims(caller, requestId, request.method, target, origin.audience);
  const assertion = await signAssertion(ready.signingKey, claims);
  const headers = originHeaders(request.headers, config.keyPattern, claimHeaders(claims, assertion));
  const started = Date.now();
  try {
    return await forwardToOrigin(request, target, headers, config.originTimeoutMs);
  } finally {
    log.origin_ms = Date.now() - started;
  }
}

// A `/v1` path that only decodes to one (`/%761/…`) reaches here through Hono's router.
app.all("/v1", (c) => apiRequest(c.req.raw, new URL(c.req.url), c.get("state")));
app.all("/v1/*", (c) => apiRequest(c.req.raw, new URL(c.req.url), c.get("state")));

app.notFound(() => {
  throw new ProblemError("unknown_route", "No route for this method and path.");
});

app.onError((error, c) => errorAnswer(error, c.get("state")));

/**
 * The Worker's `fetch`. A path under `/v1` as written goes straight to {@link apiRequest}: Hono's
 * dispatch (router, context, middleware chain) was 6 % of the hot path's CPU (bench/RESULTS.md).
 * Everything else is Hono's to route.
 */
export function fetchEdge(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> | Response {
  const url = new URL(request.url);
  if (url.pathname !== "/v1" && !url.pathname.startsWith("/v1/")) return app.fetch(request, env, ctx);
  return serveRequest(request, env, ctx, (state) => apiRequest(request, url, state));
}

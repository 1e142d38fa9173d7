/**
 * @module
 * The first and last step of every request: a request id, the configuration, one log line, the
 * `X-NearIQ-Request-Id` header, the `RateLimit-*` headers of an admitted request (whatever its
 * answer), an unread request body discarded before we answer (with `Connection: close` when it
 * had to be given up), and every error as problem details. As plain functions for the `/v1` path,
 * and as Hono middleware for the rest.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { Bindings } from "../env";
import type { AppEnv } from "./app-env";
import { bodyAbandoned, discardBody } from "./discard-body";
import { ProblemError, problemResponse } from "./problem";
import { writeRequestLog } from "./request-log";
import { beginRequest, type RequestState } from "./request-state";

/** Adds the request's own headers to `response` (which must have mutable headers) and writes its log line. */
export async function finishRequest(request: Request, response: Response, state: RequestState): Promise<void> {
  for (const [name, value] of Object.entries(state.rateLimit)) response.headers.set(name, value);
  await discardBody(request);
  if (bodyAbandoned(request)) response.headers.set("Connection", "close");
  response.headers.set("X-NearIQ-Request-Id", state.requestId);
  state.log.status = response.status;
  writeRequestLog(state.log);
}

/** The answer to anything a step threw: its problem, or a 500 that says nothing more (and a log line that does). */
export function errorAnswer(error: unknown, state: RequestState): Response {
  const problem =
    error instanceof ProblemError ? error : new ProblemError("internal_error", "Something went wrong on our side.");
  if (!(error instanceof ProblemError)) {
    console.error(JSON.stringify({ request_id: state.requestId, error: String(error) }));
  }
  state.log.code = problem.code;
  return problemResponse(problem, state.requestId);
}

/**
 * Runs `handle` as a request from its first step to its last, without Hono.
 *
 * @example
 * return serveRequest(request, env, ctx, (state) => apiRequest(request, url, env, state));
 */
export async function serveRequest(
  request: Request,
  env: Bindings,
  ctx: ExecutionContext,
  handle: (state: RequestState) => Promise<Response>,
): Promise<Response> {
  const state = beginRequest(request.method, env, (work) => ctx.waitUntil(work));
  let response: Response;
  try {
    response = await handle(state);
  } catch (error) {
    response = errorAnswer(error, state);
  }
  await finishRequest(request, response, state);
  return response;
}

/** `PUT /_admin/accounts/{account_id}`: the method and the route the request matched, as logged. */
function routeName(c: Context<AppEnv>): string {
  return `${c.req.method} ${routePath(c, -1).replace(/:([A-Za-z_]+)/g, "{$1}")}`;
}

/**
 * The same steps as Hono middleware: sets `state` on the context, and logs the route the request
 * matched (a step that knows a finer name, such as `/v1`'s route template, sets it first).
 */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const state = beginRequest(c.req.method, c.env, (work) => c.executionCtx.waitUntil(work));
  c.set("state", state);
  await next();
  state.log.route ??= routeName(c);
  await finishRequest(c.req.raw, c.res, state);
});

/**
 * Every middleware of the app, in order. `/v1` skips Hono's dispatch (`fetchEdge`), so
 * {@link serveRequest} must run the same steps: a middleware is added here and to `serveRequest`,
 * never with a bare `app.use` (a test fails if the app has any other).
 */
export const APP_MIDDLEWARE = [requestContext] as const;

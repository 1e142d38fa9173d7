/**
 * @module
 * The first and last step of every request: a request id, the configuration, one log line, the
 * `X-NearIQ-Request-Id` header, the `RateLimit-*` headers of an admitted request (whatever its
 * answer), and an unread request body discarded before we answer (with `Connection: close` when it
 * had to be given up).
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { readConfig } from "../env";
import { bodyAbandoned, discardBody } from "./discard-body";
import { newRequestLog, writeRequestLog } from "./request-log";

/** Sets `requestId`, `config` and `log` on the context, and finishes the response. */
export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const requestId = crypto.randomUUID();
  const log = newRequestLog(requestId, c.req.method);
  c.set("requestId", requestId);
  c.set("log", log);
  c.set("config", readConfig(c.env));
  c.set("rateLimit", {});
  await next();
  for (const [name, value] of Object.entries(c.var.rateLimit)) c.res.headers.set(name, value);
  await discardBody(c.req.raw);
  if (bodyAbandoned(c.req.raw)) c.res.headers.set("Connection", "close");
  c.res.headers.set("X-NearIQ-Request-Id", requestId);
  log.status = c.res.status;
  writeRequestLog(log);
});

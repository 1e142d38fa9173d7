/**
 * @module
 * The typed Hono context shared by the app and its middleware.
 */
import type { Bindings, EdgeConfig } from "./env";
import type { RequestLog } from "./http/request-log";

export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    requestId: string;
    config: EdgeConfig;
    log: RequestLog;
    /** `RateLimit-Policy` and `RateLimit` for the answer, once the request was admitted (row 9a). */
    rateLimit: Readonly<Record<string, string>>;
  };
};

/**
 * @module
 * The typed Hono context shared by the app and its middleware.
 */
import type { Bindings, EdgeConfig } from "./env";
import type { RequestLog } from "./http/request-log";
import type { RequestState } from "./http/request-state";

export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    /** The request's state; `requestId`, `config` and `log` are its members, for short. */
    state: RequestState;
    requestId: string;
    config: EdgeConfig;
    log: RequestLog;
  };
};

/**
 * @module
 * The typed Hono context shared by the app and its middleware.
 */
import type { Bindings } from "../env";
import type { RequestState } from "./request-state";

export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    /** The request's id, configuration, log line and RateLimit headers. */
    state: RequestState;
  };
};

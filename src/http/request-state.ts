/**
 * @module
 * What one request carries from its first step to its last: its id, the Worker's bindings and
 * configuration, its log line, and the `RateLimit-*` headers once it has been admitted. The steps
 * of a request take it whole, rather than each piece as an argument.
 */
import { type Bindings, type EdgeConfig, readConfig } from "../env";
import { newRequestLog, type RequestLog } from "./request-log";

export interface RequestState {
  readonly requestId: string;
  readonly env: Bindings;
  readonly config: EdgeConfig;
  readonly log: RequestLog;
  /** `RateLimit-Policy` and `RateLimit` for the answer, once the request was admitted (row 9a). */
  rateLimit: Readonly<Record<string, string>>;
  /** When the edge received the request: the UTC hour its usage belongs to. */
  readonly receivedAt: number;
  /** Whether the request passed rows 1–9a (it counts as admitted in usage, whatever the origin answers). */
  admitted: boolean;
  /** Work that may outlive the answer (`ExecutionContext.waitUntil`); no request ever awaits it. */
  readonly background: (work: Promise<unknown>) => void;
}

/** A new request id, its log line, and the configuration (read once per isolate). */
export function beginRequest(
  method: string,
  env: Bindings,
  background: (work: Promise<unknown>) => void,
): RequestState {
  const requestId = crypto.randomUUID();
  return {
    requestId,
    env,
    config: readConfig(env),
    log: newRequestLog(requestId, method),
    rateLimit: {},
    receivedAt: Date.now(),
    admitted: false,
    background,
  };
}

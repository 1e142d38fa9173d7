/** What the test origin listens on and records: shared by the Node side and the workerd tests. */

export const TEST_ORIGIN_PORT = 18788;
/** The sandbox origin of test keys: the same stand-in on another port, its requests marked `sandbox`. */
export const TEST_SANDBOX_PORT = 18790;

export interface ReceivedRequest {
  method: string;
  url: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
  bodySha256: string;
  /** Which origin received it: the live one (`ORIGIN_URL`) or the sandbox (`ORIGIN_TEST_URL`). */
  origin: "live" | "sandbox";
}

/** A webhook delivery the stand-in receiver got: its headers and raw body, and what it answered (0: nothing). */
export interface ReceivedWebhook {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  status: number;
}

/** What the test origin listens on and records: shared by the Node side and the workerd tests. */

export const TEST_ORIGIN_PORT = 18788;

export interface ReceivedRequest {
  method: string;
  url: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
  bodySha256: string;
}

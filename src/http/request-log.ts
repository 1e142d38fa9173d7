/**
 * @module
 * One structured JSON log line per request. It holds ids, the route template, the decision and
 * timings: never a key, a token, a header value or a query string.
 */

export interface RequestLog {
  request_id: string;
  method: string;
  /** The route template (`/v1/alerts/{id}`), `/_admin/…`, or the fixed name of an edge route. */
  route: string | null;
  account_id: string | null;
  key_id: string | null;
  /** The key's mode, `live` or `test`, once its record is known. */
  mode: string | null;
  code: string | null;
  status: number;
  kv_reads: number;
  kv_ms: number;
  authority_calls: number;
  /** Storage rows the authority wrote for this request (last-used at most once per key per minute, quota windows per grant). */
  authority_writes: number;
  authority_ms: number;
  origin_ms: number;
}

export function newRequestLog(requestId: string, method: string): RequestLog {
  return {
    request_id: requestId,
    method,
    route: null,
    account_id: null,
    key_id: null,
    mode: null,
    code: null,
    status: 0,
    kv_reads: 0,
    kv_ms: 0,
    authority_calls: 0,
    authority_writes: 0,
    authority_ms: 0,
    origin_ms: 0,
  };
}

export function writeRequestLog(log: RequestLog): void {
  console.log(JSON.stringify(log));
}

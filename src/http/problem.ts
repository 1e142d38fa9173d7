/**
 * @module
 * Every error the edge answers, as RFC 9457 problem details (`application/problem+json`).
 * Handlers throw a {@link ProblemError}; `app.onError` renders it with the request id.
 */
import { HTTPException } from "hono/http-exception";

const CATALOG = {
  key_in_url: [400, "API key in URL"],
  missing_key: [401, "Missing API key"],
  invalid_key: [401, "Invalid API key"],
  revoked_key: [401, "Revoked API key"],
  expired_key: [401, "Expired API key"],
  key_management_forbidden: [403, "API keys cannot manage API keys"],
  plan_required: [403, "Plan does not include this route"],
  insufficient_scope: [403, "Insufficient scope"],
  ip_not_allowed: [403, "Address not allowed"],
  unknown_route: [404, "Unknown route"],
  rate_limited: [429, "Rate limit exceeded"],
  misconfigured: [503, "Edge misconfigured"],
  auth_unavailable: [503, "Authentication unavailable"],
  origin_unavailable: [502, "Origin unavailable"],
  origin_timeout: [504, "Origin timeout"],
  admin_disabled: [503, "Admin API disabled"],
  test_mode_unavailable: [503, "Test mode unavailable"],
  admin_unauthorized: [401, "Admin token required"],
  invalid_signature: [401, "Invalid signature"],
  invalid_account_id: [400, "Invalid account id"],
  unknown_account: [404, "Unknown account"],
  unknown_key: [404, "Unknown key"],
  key_rolled: [409, "Key already rolled"],
  key_inactive: [409, "Key inactive"],
  invalid_request: [400, "Invalid request"],
  invalid_scope: [400, "Unknown scope"],
  invalid_plan: [400, "Unknown plan"],
  payload_too_large: [413, "Payload too large"],
  internal_error: [500, "Internal error"],
} as const satisfies Record<string, readonly [number, string]>;

export type ProblemCode = keyof typeof CATALOG;

/** Extension members (RFC 9457 §3.2) such as `required_scope`, `invalid_scopes` or `retry_after`. */
export type ProblemExtensions = Record<string, string | number | readonly string[]>;

const KEY_CHALLENGE = 'NearIQ-Key realm="NearIQ API"';
const CHALLENGES: Partial<Record<ProblemCode, string>> = {
  missing_key: KEY_CHALLENGE,
  invalid_key: KEY_CHALLENGE,
  revoked_key: KEY_CHALLENGE,
  expired_key: KEY_CHALLENGE,
  admin_unauthorized: "Bearer",
  invalid_signature: 'GitHub-Signature realm="secret-scanning"',
};
/** Seconds a client should wait after a 503 that a retry may cure. */
const RETRY_AFTER: Partial<Record<ProblemCode, string>> = { auth_unavailable: "1" };

/**
 * A problem the edge answers with. `detail` is shown to the caller: never put a key in it.
 *
 * @example
 * throw new ProblemError("invalid_key", "This API key is not known here: …");
 */
export class ProblemError extends HTTPException {
  readonly code: ProblemCode;
  readonly detail: string;
  readonly extensions: ProblemExtensions;
  /** Headers the answer carries besides the usual ones (`Retry-After`, `RateLimit` on a 429). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ProblemCode,
    detail: string,
    extensions: ProblemExtensions = {},
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(CATALOG[code][0] as 400, { message: detail });
    this.code = code;
    this.detail = detail;
    this.extensions = extensions;
    this.headers = headers;
  }
}

/** The problem+json response for `error`, carrying `request_id` and `X-NearIQ-Request-Id`. */
export function problemResponse(error: ProblemError, requestId: string): Response {
  const [status, title] = CATALOG[error.code];
  const body = {
    ...error.extensions,
    type: `https://docs.neariq.com/problems/${error.code.replaceAll("_", "-")}`,
    title,
    status,
    detail: error.detail,
    code: error.code,
    request_id: requestId,
  };
  const headers = new Headers({
    "Content-Type": "application/problem+json",
    "Cache-Control": "no-store",
    "X-NearIQ-Request-Id": requestId,
  });
  const challenge = CHALLENGES[error.code];
  if (challenge) headers.set("WWW-Authenticate", challenge);
  const retryAfter = RETRY_AFTER[error.code];
  if (retryAfter) headers.set("Retry-After", retryAfter);
  for (const [name, value] of Object.entries(error.headers)) headers.set(name, value);
  return new Response(JSON.stringify(body), { status, headers });
}

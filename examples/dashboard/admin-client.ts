/**
 * The dashboard backend's client of the edge's admin API. It holds `ADMIN_TOKEN`; the browser
 * never sees it. Errors come back as sentences a person can read, never as JSON.
 */

export interface AdminClient {
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** A failed admin call, with a sentence for the page. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const SENTENCES: Record<string, string> = {
  invalid_request: "Some of what you entered is not valid",
  invalid_scope: "One of the chosen permissions is not known",
  invalid_plan: "That plan does not exist",
  unknown_account: "This account does not exist yet",
  unknown_key: "That key no longer exists",
  key_inactive: "That key is revoked or expired, so it cannot be rolled; generate a new key instead",
  key_rolled: "That key has been rolled already; roll its successor instead",
  payload_too_large: "That request is too large",
  admin_unauthorized: "The dashboard is not allowed to manage keys (its admin token was refused)",
  admin_disabled: "Key management is switched off on the edge",
  auth_unavailable: "Keys cannot be managed right now; please try again in a moment",
};

/** The page's label of each field the admin API may name in `detail`. */
const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  scopes: "Scopes",
  expires_at: "Expires",
  rate_limit_per_minute: "Rate limit per minute",
  allowed_ips: "Allowed IP addresses",
  grace_seconds: "Old key stops",
  mode: "Mode",
};

/**
 * A sentence for a problem the admin API answered. For `invalid_request` its `detail` names the
 * field (`"allowed_ips.0": an IPv4 …`): the sentence names it as the page labels it instead.
 */
export function sentenceFor(code: string, detail: string | undefined): string {
  const base = SENTENCES[code] ?? "Something went wrong";
  const field = detail && code === "invalid_request" ? /^"([a-z_]+)(?:\.(\d+))?":\s*(.*?)\.?$/.exec(detail) : null;
  if (!field) return `${base}.`;
  const [, name, index, message] = field as unknown as [string, string, string | undefined, string];
  const label = FIELD_LABELS[name] ?? name;
  const where = index === undefined ? "" : ` (line ${Number(index) + 1})`;
  const expected = /^(a|an|at most|in the future|well-formed|no) /.test(message)
    ? `must be ${message}`
    : `is not valid: ${message}`;
  return `${label}${where} ${expected}.`;
}

export function adminClient(edgeUrl: string, adminToken: string): AdminClient {
  return {
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      let res: Response;
      try {
        res = await fetch(`${edgeUrl}/_admin${path}`, {
          method,
          headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch {
        throw new AdminError(503, "unreachable", "The edge cannot be reached right now; please try again in a moment.");
      }
      const text = await res.text();
      let json: { code?: string; detail?: string } = {};
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON: handled below
      }
      if (!res.ok) {
        const code = json.code ?? "unknown";
        throw new AdminError(res.status, code, sentenceFor(code, json.detail));
      }
      return json as T;
    },
  };
}

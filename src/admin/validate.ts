/**
 * @module
 * Validation of admin request bodies and path parameters (CONTRACT §4). Pure functions.
 */
import {
  DEFAULT_KEY_SCOPES,
  isPlan,
  isScope,
  type LimitsOverride,
  MAX_LIMIT,
  normalizeScopes,
  type Plan,
} from "../auth/policy";
import { ProblemError } from "../http/problem";
import { formatBlock, parseBlock } from "../net/cidr";

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_NAME_LENGTH = 100;

export function validAccountId(value: string): string {
  if (!ACCOUNT_ID.test(value)) {
    throw new ProblemError("invalid_account_id", "account_id must match ^[A-Za-z0-9_-]{1,64}$.");
  }
  return value;
}

function invalid(detail: string): ProblemError {
  return new ProblemError("invalid_request", detail);
}

/** The body as an object of own fields; anything else (array, null, a number) is refused. */
function fieldsOf(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw invalid("The body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}

function field(fields: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/** A whole number of requests, 1 to {@link MAX_LIMIT}; anything else is `invalid_request`. */
function parseLimit(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > MAX_LIMIT) {
    throw invalid(`${what} must be a whole number from 1 to ${MAX_LIMIT}.`);
  }
  return value;
}

/**
 * `"limits"` of a `PUT`: absent or `null` → `null` (the plan's defaults); otherwise the windows it
 * names, each a limit or `null` (no limit for that window). Unknown fields are ignored.
 */
function parseLimits(value: unknown): LimitsOverride | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) throw invalid('"limits" must be an object or null.');
  const fields = value as Record<string, unknown>;
  const override: { per_minute?: number | null; per_day?: number | null } = {};
  for (const window of ["per_minute", "per_day"] as const) {
    const given = field(fields, window);
    if (given === undefined) continue;
    override[window] = given === null ? null : parseLimit(given, `"limits.${window}"`);
  }
  return override;
}

export interface PlanRequest {
  readonly plan: Plan;
  /** `null`: the plan's default limits. */
  readonly limits: LimitsOverride | null;
}

/**
 * `{"plan": …, "limits"?: …}` → the plan and the limit overrides; `invalid_request` when the plan is
 * missing or not a string or a limit is bad, `invalid_plan` when the plan is unknown.
 */
export function parsePlanBody(body: unknown): PlanRequest {
  const fields = fieldsOf(body);
  const plan = field(fields, "plan");
  if (typeof plan !== "string") throw invalid('"plan" is required and must be a string.');
  const limits = parseLimits(field(fields, "limits"));
  if (!isPlan(plan)) {
    throw new ProblemError("invalid_plan", 'plan must be one of "starter", "pro", "agency".');
  }
  return { plan, limits };
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Epoch milliseconds of an RFC 3339 date-time (any offset), or `null` when it is not one. */
export function parseRfc3339(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return null;
  if (hour > 23 || minute > 59 || second > 60) return null;
  let offsetMinutes = 0;
  if (m[9]) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const fraction = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  // A leap second (:60) counts as the first moment of the next minute.
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, fraction);
  return utc - offsetMinutes * 60_000;
}

export interface NewKeyRequest {
  readonly name: string | null;
  readonly scopes: readonly string[];
  readonly expiresAt: number | null;
  readonly rateLimitPerMinute: number | null;
  readonly allowedIps: readonly string[] | null;
}

export const MAX_ALLOWED_IPS = 50;

/**
 * `allowed_ips`: 1 to 50 IPv4/IPv6 addresses or CIDR blocks, stored normalized (CONTRACT §8), a
 * block given twice once, in the order given.
 */
function parseAllowedIps(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_ALLOWED_IPS) {
    throw invalid(`"allowed_ips" must be an array of 1 to ${MAX_ALLOWED_IPS} addresses or CIDR blocks.`);
  }
  const blocks = value.map((entry) => {
    const block = typeof entry === "string" ? parseBlock(entry) : null;
    if (!block) throw invalid('"allowed_ips" holds an entry that is not an IPv4 or IPv6 address or CIDR block.');
    return formatBlock(block);
  });
  return [...new Set(blocks)];
}

// Control characters (C0, DEL, C1) and bidirectional overrides and isolates: a name is shown in
// terminals and dashboards, where these can clear a screen or reorder what a person reads.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE_NAME_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function parseName(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw invalid('"name" must be a string.');
  if ([...value].length > MAX_NAME_LENGTH) throw invalid(`"name" must be at most ${MAX_NAME_LENGTH} characters.`);
  if (UNSAFE_NAME_CHARACTER.test(value)) {
    throw invalid('"name" must not contain control characters or bidirectional overrides.');
  }
  if (LONE_SURROGATE.test(value)) throw invalid('"name" must be well-formed Unicode (no lone surrogates).');
  return value;
}

function parseScopes(value: unknown): string[] {
  if (value === undefined) return normalizeScopes(DEFAULT_KEY_SCOPES);
  if (!Array.isArray(value) || value.some((scope) => typeof scope !== "string")) {
    throw invalid('"scopes" must be an array of strings.');
  }
  if (value.length === 0) throw invalid('"scopes" must not be empty.');
  const unknown = [...new Set((value as string[]).filter((scope) => !isScope(scope)))];
  if (unknown.length > 0) {
    throw new ProblemError("invalid_scope", "Some scopes are not known.", { invalid_scopes: unknown });
  }
  return normalizeScopes(value as string[]);
}

/** The latest `expires_at` accepted: later times have no RFC 3339 form to answer with. */
const LATEST_EXPIRY_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

function parseExpiresAt(value: unknown, now: number): number | null {
  if (value === undefined || value === null) return null;
  const at = typeof value === "string" ? parseRfc3339(value) : null;
  if (at === null) throw invalid('"expires_at" must be an RFC 3339 date-time.');
  if (at > LATEST_EXPIRY_MS) throw invalid('"expires_at" must not be after 9999-12-31T23:59:59Z.');
  if (at <= now) throw invalid('"expires_at" must be in the future.');
  return at;
}

function parseOptionalLimit(value: unknown, what: string): number | null {
  return value === undefined || value === null ? null : parseLimit(value, what);
}

/**
 * The body of `POST …/keys`. Absent `scopes` means the default set as it is now, copied into the
 * key. Unknown fields are ignored.
 */
export function parseNewKeyBody(body: unknown, now: number): NewKeyRequest {
  const fields = fieldsOf(body);
  return {
    name: parseName(field(fields, "name")),
    scopes: parseScopes(field(fields, "scopes")),
    expiresAt: parseExpiresAt(field(fields, "expires_at"), now),
    rateLimitPerMinute: parseOptionalLimit(field(fields, "rate_limit_per_minute"), '"rate_limit_per_minute"'),
    allowedIps: parseAllowedIps(field(fields, "allowed_ips")),
  };
}

export const MAX_GRACE_SECONDS = 604_800;
const DEFAULT_GRACE_SECONDS = 86_400;

export interface RollBody {
  /** `undefined`: keep the old key's name. */
  readonly name: string | null | undefined;
  readonly expiresAt: number | null;
  readonly graceMs: number;
}

/**
 * The body of `POST …/keys/{key_id}/roll` (CONTRACT §8): `grace_seconds` a whole number from 0 to
 * 604800 (default 86400); `name` and `expires_at` as for a new key, `null` counting as absent.
 */
export function parseRollBody(body: unknown, now: number): RollBody {
  const fields = fieldsOf(body);
  const grace = field(fields, "grace_seconds");
  let graceSeconds = DEFAULT_GRACE_SECONDS;
  if (grace !== undefined) {
    if (typeof grace !== "number" || !Number.isSafeInteger(grace) || grace < 0 || grace > MAX_GRACE_SECONDS) {
      throw invalid(`"grace_seconds" must be a whole number from 0 to ${MAX_GRACE_SECONDS}.`);
    }
    graceSeconds = grace;
  }
  const name = field(fields, "name");
  return {
    name: name === undefined || name === null ? undefined : parseName(name),
    expiresAt: parseExpiresAt(field(fields, "expires_at"), now),
    graceMs: graceSeconds * 1000,
  };
}

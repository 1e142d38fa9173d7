/**
 * @module
 * Validation of admin request bodies and path parameters (docs/api.md#for-the-dashboard-backend-the-admin-api, docs/limits.md, docs/lifecycle.md), with the schemas
 * of `schemas.ts` (the same ones the OpenAPI document is made of), turned into the documented
 * problems: `invalid_plan` for an unknown plan, `invalid_scope` (with `invalid_scopes`) for
 * unknown scopes, `invalid_request` for everything else. Unknown fields are ignored.
 */
import type { z } from "zod";
import {
  ACCOUNT_ID_PATTERN,
  DEFAULT_KEY_SCOPES,
  isScope,
  type KeyMode,
  type LimitsOverride,
  normalizeScopes,
  PLAN_NAMES,
  type Plan,
} from "../domain/policy";
import { ProblemError } from "../http/problem";
import { formatBlock, parseBlock } from "../net/cidr";
import { parseRfc3339 } from "./rfc3339";
import { DEFAULT_GRACE_SECONDS, NewKeyBody, PlanBody, RollBody } from "./schemas";

export { parseRfc3339 } from "./rfc3339";
export { MAX_ALLOWED_IPS, MAX_GRACE_SECONDS, MAX_NAME_LENGTH } from "./schemas";

export function validAccountId(value: string): string {
  if (!ACCOUNT_ID_PATTERN.test(value)) {
    throw new ProblemError("invalid_account_id", `account_id must match ${ACCOUNT_ID_PATTERN.source}.`);
  }
  return value;
}

function invalid(detail: string): ProblemError {
  return new ProblemError("invalid_request", detail);
}

/** The first issue, in words: which field, and what it must be. */
function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue || issue.path.length === 0) return "The body must be a JSON object.";
  return `"${issue.path.join(".")}": ${issue.message}.`;
}

/** `schema`'s reading of `body` (an empty body counts as `{}`), or the problem docs/api.md names. */
function parseWith<S extends z.ZodType>(
  schema: S,
  body: unknown,
  special: (issues: z.core.$ZodIssue[]) => ProblemError | null,
): z.output<S> {
  const result = schema.safeParse(body === undefined ? {} : body);
  if (result.success) return result.data;
  throw special(result.error.issues) ?? invalid(describe(result.error));
}

const onlyAt = (issues: z.core.$ZodIssue[], field: string) =>
  issues.length > 0 && issues.every((issue) => issue.path[0] === field);

export interface PlanRequest {
  readonly plan: Plan;
  /** `null`: the plan's default limits. */
  readonly limits: LimitsOverride | null;
}

/**
 * `{"plan": …, "limits"?: …}` → the plan and the limit overrides; `invalid_plan` when the plan is a
 * string but not a plan, `invalid_request` for anything else wrong.
 */
export function parsePlanBody(body: unknown): PlanRequest {
  const parsed = parseWith(PlanBody, body, (issues) =>
    onlyAt(issues, "plan") && typeof (body as { plan?: unknown } | null)?.plan === "string"
      ? new ProblemError("invalid_plan", `plan must be one of ${PLAN_NAMES.map((p) => `"${p}"`).join(", ")}.`)
      : null,
  );
  const limits = parsed.limits ?? null;
  return { plan: parsed.plan, limits: limits && Object.keys(limits).length > 0 ? limits : null };
}

export interface NewKeyRequest {
  readonly name: string | null;
  readonly scopes: readonly string[];
  readonly expiresAt: number | null;
  readonly rateLimitPerMinute: number | null;
  readonly allowedIps: readonly string[] | null;
  readonly mode: KeyMode;
}

/** An `expires_at` the schema accepted, in the future (`now`), as epoch ms; `null` when absent. */
function futureTime(text: string | null | undefined, now: number): number | null {
  if (text === undefined || text === null) return null;
  const at = parseRfc3339(text) as number;
  if (at <= now) throw invalid('"expires_at" must be in the future.');
  return at;
}

/** The stored form of an allowlist: normalized blocks, each once, in the order first given. */
function normalizedBlocks(entries: readonly string[] | null | undefined): string[] | null {
  if (entries === undefined || entries === null) return null;
  return [
    ...new Set(entries.map((entry) => formatBlock(parseBlock(entry) as NonNullable<ReturnType<typeof parseBlock>>))),
  ];
}

/**
 * The body of `POST …/keys`. Absent `scopes` means the default set as it is now, copied into the
 * key. Unknown scopes (and nothing else wrong) are `invalid_scope`.
 */
export function parseNewKeyBody(body: unknown, now: number): NewKeyRequest {
  const parsed = parseWith(NewKeyBody, body, (issues) => {
    const scopes = (body as { scopes?: unknown } | null)?.scopes;
    if (!onlyAt(issues, "scopes") || !Array.isArray(scopes) || scopes.length === 0) return null;
    if (!scopes.every((scope) => typeof scope === "string")) return null;
    const unknown = [...new Set((scopes as string[]).filter((scope) => !isScope(scope)))];
    return new ProblemError("invalid_scope", "Some scopes are not known.", { invalid_scopes: unknown });
  });
  return {
    name: parsed.name ?? null,
    scopes: normalizeScopes(parsed.scopes ?? DEFAULT_KEY_SCOPES),
    expiresAt: futureTime(parsed.expires_at, now),
    rateLimitPerMinute: parsed.rate_limit_per_minute ?? null,
    allowedIps: normalizedBlocks(parsed.allowed_ips),
    mode: parsed.mode ?? "live",
  };
}

export interface RollRequest {
  /** `undefined`: keep the old key's name. */
  readonly name: string | undefined;
  /** `undefined`: the old key's lifetime from now, when it had an expiry (docs/lifecycle.md#rolling-a-key). */
  readonly expiresAt: number | undefined;
  readonly graceMs: number;
}

/**
 * The body of `POST …/keys/{key_id}/roll` (docs/lifecycle.md): `grace_seconds` a whole number from 0 to
 * 604800 (default 86400); `name` and `expires_at` as for a new key, `null` counting as absent.
 */
export function parseRollBody(body: unknown, now: number): RollRequest {
  const parsed = parseWith(RollBody, body, () => null);
  return {
    name: parsed.name ?? undefined,
    expiresAt: futureTime(parsed.expires_at, now) ?? undefined,
    graceMs: (parsed.grace_seconds ?? DEFAULT_GRACE_SECONDS) * 1000,
  };
}

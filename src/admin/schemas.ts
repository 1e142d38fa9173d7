/**
 * @module
 * The admin API's bodies and answers as zod schemas: one source for the validation of what comes
 * in (`validate.ts`) and for the OpenAPI document (`openapi.ts`, `docs/openapi.json`), so that the
 * two cannot drift. The answers' schemas describe; a test checks every admin answer the suite
 * receives against them.
 */
import { z } from "zod";
import { EVENT_ID_PATTERN, EVENT_TYPES } from "../domain/events";
import { KEY_MODES, type KeyMode, MAX_LIMIT, PLAN_NAMES, type Plan as PlanName, SCOPES } from "../domain/policy";
import { COUNTED_REFUSALS } from "../domain/usage";
import { WINDOW_ORDER } from "../domain/windows";
import { parseBlock } from "../net/cidr";
import { LATEST_TIME_MS, parseRfc3339 } from "./rfc3339";

export const MAX_NAME_LENGTH = 100;
export const MAX_ALLOWED_IPS = 50;
export const MAX_GRACE_SECONDS = 604_800;
export const DEFAULT_GRACE_SECONDS = 86_400;

// Control characters (C0, DEL, C1) and bidirectional overrides and isolates: a name is shown in
// terminals and dashboards, where these can clear a screen or reorder what a person reads.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE_NAME_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every schema the OpenAPI document names, by its id. */
export const apiSchemas = z.registry<{ id: string }>();

export const Plan = z.enum(PLAN_NAMES as [PlanName, ...PlanName[]]).meta({ description: "The account's plan." });
export const Mode = z
  .enum(KEY_MODES as [KeyMode, ...KeyMode[]])
  .meta({ description: "live: the origin; test: the sandbox origin, with windows of its own." });
export const Scope = z.enum(SCOPES);
const Scopes = z.array(Scope).meta({ description: "Sorted, without duplicates." });

export const Limit = z
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT)
  .meta({ description: "Requests per window, a whole number." });

export const KeyName = z
  .string()
  .refine((name) => [...name].length <= MAX_NAME_LENGTH, `at most ${MAX_NAME_LENGTH} characters`)
  .refine((name) => !UNSAFE_NAME_CHARACTER.test(name), "no control characters or bidirectional overrides")
  .refine((name) => !LONE_SURROGATE.test(name), "well-formed Unicode (no lone surrogates)")
  .meta({
    description:
      "At most 100 Unicode characters; no control characters (U+0000–U+001F, U+007F–U+009F), lone surrogates, or bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069).",
  });

export const Time = z
  .string()
  .refine((text) => {
    const at = parseRfc3339(text);
    return at !== null && at <= LATEST_TIME_MS;
  }, "an RFC 3339 date-time, not after 9999-12-31T23:59:59Z")
  .meta({ format: "date-time", description: "RFC 3339, any offset; not after 9999-12-31T23:59:59Z." });

export const IpBlock = z
  .string()
  .refine((entry) => parseBlock(entry) !== null, "an IPv4 or IPv6 address or CIDR block")
  .meta({ description: "An IPv4 or IPv6 address or CIDR block, e.g. 203.0.113.7, 198.51.100.0/24, 2001:db8::/32." });

const AllowedIps = z.array(IpBlock).min(1).max(MAX_ALLOWED_IPS);

// --- request bodies ---------------------------------------------------------------------------

export const LimitsBody = z
  .object({
    per_minute: Limit.nullable()
      .optional()
      .meta({ description: "null: no limit per minute; absent: the plan's default." }),
    per_day: Limit.nullable().optional().meta({ description: "null: no limit per day; absent: the plan's default." }),
  })
  .meta({ description: "Overrides of the plan's limits; null or absent restores the plan's defaults." });

export const PlanBody = z
  .object({ plan: Plan, limits: LimitsBody.nullable().optional() })
  .register(apiSchemas, { id: "PlanBody" });

export const NewKeyBody = z
  .object({
    name: KeyName.nullable().optional(),
    scopes: Scopes.min(1).optional().meta({ description: "Default: competitors:read, alerts:read, usage:read." }),
    expires_at: Time.nullable().optional().meta({ description: "In the future; RFC 3339, any offset." }),
    rate_limit_per_minute: Limit.nullable().optional(),
    allowed_ips: AllowedIps.nullable().optional(),
    mode: Mode.optional().meta({ description: "Default live; a test key starts with TEST_KEY_PREFIX." }),
  })
  .register(apiSchemas, { id: "NewKeyBody" });

export const RollBody = z
  .object({
    grace_seconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).optional().meta({ description: "Default 86400." }),
    name: KeyName.nullable().optional().meta({ description: "Default: the old key's name." }),
    expires_at: Time.nullable()
      .optional()
      .meta({ description: "Of the new key; default: the old key's lifetime from now, or none." }),
  })
  .register(apiSchemas, { id: "RollBody" });

// --- answers ----------------------------------------------------------------------------------

const TimeOut = z.string().meta({ format: "date-time", description: "RFC 3339 UTC (Z)." });
const AccountLimits = z.object({ per_minute: Limit.nullable(), per_day: Limit.nullable() });

export const Account = z
  .object({ account_id: z.string(), plan: Plan, limits: AccountLimits.meta({ description: "The limits in force." }) })
  .register(apiSchemas, { id: "Account" });

export const CreatedKey = z
  .object({
    id: z.string(),
    key: z.string().meta({ description: "The full key: shown here only, never again." }),
    name: z.string().nullable(),
    scopes: Scopes,
    created_at: TimeOut,
    expires_at: TimeOut.nullable(),
    rate_limit_per_minute: Limit.nullable(),
    allowed_ips: z.array(z.string()).nullable(),
    mode: Mode,
  })
  .register(apiSchemas, { id: "CreatedKey" });

export const RolledKey = CreatedKey.extend({
  rolled_from: z.string(),
  old_key: z.object({ id: z.string(), expires_at: TimeOut }),
}).register(apiSchemas, { id: "RolledKey" });

export const ListedKey = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    scopes: Scopes,
    hint: z.string().meta({ description: "The prefix, … and the last 4 characters." }),
    created_at: TimeOut,
    expires_at: TimeOut.nullable(),
    revoked_at: TimeOut.nullable(),
    last_used_at: TimeOut.nullable(),
    rate_limit_per_minute: Limit.nullable(),
    allowed_ips: z.array(z.string()).nullable(),
    revoked_reason: z.enum(["revoked", "leaked"]).nullable(),
    rolled_from: z.string().nullable(),
    rolled_to: z.string().nullable(),
    leak: z.object({ url: z.string().nullable(), source: z.string().nullable(), reported_at: TimeOut }).nullable(),
    mode: Mode,
  })
  .register(apiSchemas, { id: "ListedKey" });

export const KeyList = z.object({ keys: z.array(ListedKey) }).register(apiSchemas, { id: "KeyList" });

export const Revoked = z.object({ id: z.string(), revoked_at: TimeOut }).register(apiSchemas, { id: "Revoked" });

export const CurrentKey = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    account_id: z.string(),
    scopes: Scopes,
    plan: Plan,
    hint: z.string(),
    created_at: TimeOut,
    expires_at: TimeOut.nullable(),
    last_used_at: TimeOut.nullable(),
    rate_limit_per_minute: Limit.nullable(),
    allowed_ips: z.array(z.string()).nullable(),
    limits: AccountLimits,
    mode: Mode,
  })
  .register(apiSchemas, { id: "CurrentKey" });

export const LeakReport = z
  .array(
    z.object({
      token: z.string(),
      type: z.string().optional(),
      url: z.string().optional(),
      source: z.string().optional(),
    }),
  )
  .max(1_000)
  .register(apiSchemas, { id: "LeakReport" });

export const LeakAnswer = z
  .array(
    z.object({
      token_hash: z.string().meta({ description: "SHA-256 hex of the token." }),
      token_type: z.string().nullable(),
      label: z.enum(["true_positive", "false_positive"]),
    }),
  )
  .register(apiSchemas, { id: "LeakAnswer" });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    request_id: z.string(),
    required_scope: z.string().optional(),
    granted_scopes: z.array(z.string()).optional(),
    plan: z.string().optional(),
    invalid_scopes: z.array(z.string()).optional(),
    policy: z.enum(WINDOW_ORDER as [string, ...string[]]).optional(),
    limit: z.number().int().optional(),
    retry_after: z.number().int().optional(),
    resets_at: TimeOut.optional(),
  })
  .meta({ description: "RFC 9457 problem details (application/problem+json)." })
  .register(apiSchemas, { id: "Problem" });

// --- usage, events, closing ---------------------------------------------------------------------

const Refused = z
  .partialRecord(z.enum(COUNTED_REFUSALS), z.number().int().min(1))
  .meta({ description: "Refusals by code (rows 4–9a); only counts above 0; {} when none." });
const TestTally = z
  .object({ admitted: z.number().int().min(0), refused: Refused })
  .meta({ description: "The same for test keys' traffic (live traffic is counted apart)." });
const Tally = { admitted: z.number().int().min(0), refused: Refused, test: TestTally };

export const Usage = z
  .object({
    account_id: z.string(),
    key_id: z.string().nullable(),
    granularity: z.enum(["hour", "day"]),
    from: TimeOut,
    to: TimeOut,
    buckets: z.array(z.object({ start: TimeOut, ...Tally })).meta({ description: "Every bucket, oldest first." }),
    totals: z.object(Tally),
    keys: z
      .array(z.object({ key_id: z.string(), ...Tally }))
      .nullable()
      .meta({ description: "Keys with any count, most admitted first, then by key_id; null with key_id." }),
  })
  .register(apiSchemas, { id: "Usage" });

export const Event = z
  .object({
    id: z.string().regex(EVENT_ID_PATTERN),
    type: z.enum(EVENT_TYPES),
    account_id: z.string(),
    created_at: TimeOut,
    actor: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .register(apiSchemas, { id: "Event" });

export const EventPage = z
  .object({
    events: z.array(Event),
    next: z.string().nullable().meta({ description: "The last event's id when more may follow, else null." }),
  })
  .register(apiSchemas, { id: "EventPage" });

export const Closed = z
  .object({
    account_id: z.string(),
    closed_at: TimeOut,
    keys_revoked: z.number().int().min(0).meta({ description: "Keys still active when the account was closed." }),
  })
  .register(apiSchemas, { id: "Closed" });

/**
 * @module
 * The bottom floor: the scopes, the default key scopes, the plans with their default limits, the
 * account-id pattern and the `/v1` route table (docs/policy.md, docs/api.md#keys). The code, the
 * tests and the tables of docs/policy.md all read this file; it imports nothing.
 */

/** What an `account_id` may be, everywhere it is accepted (docs/api.md#for-the-dashboard-backend-the-admin-api). */
export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const SCOPES = [
  "competitors:read",
  "competitors:write",
  "business:write",
  "alerts:read",
  "alerts:write",
  "usage:read",
  "export",
  "webhooks:manage",
  "content:write",
  "chat:write",
  "reports:write",
  "reviews:write",
  "social:write",
  "embeds:write",
  "notifications:write",
  "payments:write",
  "contacts:write",
] as const;

export type Scope = (typeof SCOPES)[number];

/** Given to a key created without `scopes`; copied into the key when it is created, never recomputed. */
export const DEFAULT_KEY_SCOPES: readonly Scope[] = ["competitors:read", "alerts:read", "usage:read"];

const STARTER: readonly Scope[] = [
  "competitors:read",
  "alerts:read",
  "alerts:write",
  "usage:read",
  "business:write",
  "competitors:write",
];
const PRO: readonly Scope[] = [
  ...STARTER,
  "export",
  "webhooks:manage",
  "content:write",
  "chat:write",
  "reports:write",
  "reviews:write",
  "social:write",
  "embeds:write",
  "notifications:write",
];
const AGENCY: readonly Scope[] = [...PRO, "payments:write", "contacts:write"];

/** The scopes each plan's keys may use; a key may hold more, the plan decides at request time. */
export const PLANS = {
  starter: STARTER,
  pro: PRO,
  agency: AGENCY,
} as const satisfies Record<string, readonly Scope[]>;

export type Plan = keyof typeof PLANS;

/** A live key reaches the origin; a test key the sandbox origin, with windows of its own (docs/test-keys.md). */
export type KeyMode = "live" | "test";

export const KEY_MODES: readonly KeyMode[] = ["live", "test"];

/** The windows of an account's test traffic, the same on every plan and not changed by `limits`. */
export const TEST_LIMITS: AccountLimits = { per_minute: 60, per_day: 1_000 };

/** The plans' names, in the order of `PLANS` (starter, pro, agency). */
export const PLAN_NAMES = Object.keys(PLANS) as Plan[];

/** An account's limits: requests per UTC minute and per UTC day; `null` is no limit for that window. */
export interface AccountLimits {
  readonly per_minute: number | null;
  readonly per_day: number | null;
}

/** Each plan's default limits (docs/limits.md); an account may override them. */
export const PLAN_LIMITS = {
  starter: { per_minute: 60, per_day: 10_000 },
  pro: { per_minute: 600, per_day: 100_000 },
  agency: { per_minute: 3_000, per_day: 1_000_000 },
} as const satisfies Record<Plan, AccountLimits>;

/** The largest limit an account or a key may be given. */
export const MAX_LIMIT = 1_000_000_000;

/** What a `PUT` of an account says about its limits: a window left out takes the plan's default. */
export type LimitsOverride = Partial<AccountLimits>;

/**
 * The limits in force for `plan` with `override`.
 *
 * @example
 * limitsInForce("pro", { per_day: null }) // { per_minute: 600, per_day: null }
 */
export function limitsInForce(plan: Plan, override: LimitsOverride | null): AccountLimits {
  const defaults = PLAN_LIMITS[plan];
  return {
    per_minute: override && override.per_minute !== undefined ? override.per_minute : defaults.per_minute,
    per_day: override && override.per_day !== undefined ? override.per_day : defaults.per_day,
  };
}

/** A row of the route table: `{id}` matches one non-empty path segment. */
export interface RouteRule {
  readonly methods: readonly string[];
  readonly path: string;
  readonly scope: Scope;
  /** Answered by the edge itself instead of the origin. */
  readonly answeredByEdge?: true;
}

/** The `/v1` route table of docs/api.md#the-decision-table. `HEAD` is allowed wherever `GET` is. Adding an endpoint is one line. */
export const ROUTES: readonly RouteRule[] = [
  { methods: ["GET"], path: "/v1/business", scope: "competitors:read" },
  { methods: ["PATCH"], path: "/v1/business", scope: "business:write" },
  { methods: ["GET"], path: "/v1/competitors", scope: "competitors:read" },
  { methods: ["POST"], path: "/v1/competitors", scope: "competitors:write" },
  { methods: ["GET"], path: "/v1/competitors/{id}", scope: "competitors:read" },
  { methods: ["GET"], path: "/v1/reviews", scope: "competitors:read" },
  { methods: ["GET"], path: "/v1/snapshots", scope: "competitors:read" },
  { methods: ["GET"], path: "/v1/gbp/health", scope: "competitors:read" },
  { methods: ["GET"], path: "/v1/gbp/insights", scope: "competitors:read" },
  { methods: ["GET"], path: "/v1/gap-analysis", scope: "competitors:read" },
  { methods: ["GET"], path: "/v1/ai-visibility", scope: "competitors:read" },
  { methods: ["GET"], path: "/v1/content/history", scope: "competitors:read" },
  { methods: ["GET"], path: "/v1/report-card", scope: "competitors:read" },
  { methods: ["GET"], path: "/v1/alerts", scope: "alerts:read" },
  { methods: ["GET"], path: "/v1/alerts/{id}", scope: "alerts:read" },
  { methods: ["POST"], path: "/v1/alerts/{id}/read", scope: "alerts:write" },
  { methods: ["POST"], path: "/v1/alerts/{id}/unread", scope: "alerts:write" },
  { methods: ["GET"], path: "/v1/export", scope: "export" },
  { methods: ["GET", "POST"], path: "/v1/webhooks", scope: "webhooks:manage" },
  { methods: ["GET", "PATCH", "DELETE"], path: "/v1/webhooks/{id}", scope: "webhooks:manage" },
  { methods: ["GET"], path: "/v1/usage", scope: "usage:read" },
  { methods: ["GET"], path: "/v1/api-keys/current", scope: "usage:read", answeredByEdge: true },
  { methods: ["POST"], path: "/v1/content/drafts", scope: "content:write" },
  { methods: ["POST"], path: "/v1/content/drafts/{id}/refine", scope: "content:write" },
  { methods: ["POST"], path: "/v1/crm/payments", scope: "payments:write" },
  { methods: ["POST"], path: "/v1/chat/messages", scope: "chat:write" },
  { methods: ["POST"], path: "/v1/zapier/actions/add-competitor", scope: "competitors:write" },
  { methods: ["POST"], path: "/v1/crm/contacts", scope: "contacts:write" },
  { methods: ["POST"], path: "/v1/embeds", scope: "embeds:write" },
  { methods: ["PATCH"], path: "/v1/notifications/settings", scope: "notifications:write" },
  { methods: ["POST"], path: "/v1/reports", scope: "reports:write" },
  { methods: ["POST"], path: "/v1/review-requests", scope: "reviews:write" },
  { methods: ["POST"], path: "/v1/social/posts", scope: "social:write" },
];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function isPlan(value: string): value is Plan {
  return Object.hasOwn(PLANS, value);
}

/** Sorted and without duplicates: the only shape in which a scope list leaves the edge. */
export function normalizeScopes(scopes: Iterable<string>): string[] {
  return [...new Set(scopes)].sort();
}

/**
 * @module
 * The admin API's query parameters and the `X-NearIQ-Actor` header, read strictly: values are
 * case-sensitive, an empty value is malformed, unknown parameters are ignored; anything else wrong
 * is 400 `invalid_request` (docs/usage.md#the-usage-api, docs/events.md#the-events-api).
 */
import { ACTOR_PATTERN, EVENT_ID_PATTERN, EVENT_TYPES, type EventType } from "../domain/events";
import { DAY_MS, type Granularity, HOUR_MS } from "../domain/usage";
import { ProblemError } from "../http/problem";
import { parseRfc3339 } from "./rfc3339";

/** Most buckets one usage answer holds. */
export const MAX_BUCKETS: Record<Granularity, number> = { hour: 744, day: 400 };

function invalid(detail: string): ProblemError {
  return new ProblemError("invalid_request", detail);
}

/** The value of `name`, `undefined` when absent; an empty value or a repeated parameter is malformed. */
function param(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw invalid(`Give ${name} once.`);
  const value = values[0] as string;
  if (value === "") throw invalid(`${name} must not be empty.`);
  return value;
}

/**
 * `X-NearIQ-Actor` of a change: 1–200 characters in U+0020–U+007E, or `null` without one.
 * Checked after the admin token and before anything else on calls that change something.
 */
export function actorOf(headers: Headers): string | null {
  const value = headers.get("x-neariq-actor");
  if (value === null) return null;
  if (!ACTOR_PATTERN.test(value)) {
    throw invalid("X-NearIQ-Actor must be 1 to 200 printable ASCII characters (U+0020 to U+007E).");
  }
  return value;
}

export interface UsageParams {
  readonly granularity: Granularity;
  readonly from: number;
  readonly to: number;
  readonly keyId: string | null;
}

function floorTo(ms: number, step: number): number {
  return ms - (((ms % step) + step) % step);
}

function time(query: URLSearchParams, name: string): number | undefined {
  const text = param(query, name);
  if (text === undefined) return undefined;
  const at = parseRfc3339(text);
  if (at === null) throw invalid(`${name} must be an RFC 3339 date-time with Z or an offset (send + as %2B).`);
  return at;
}

/**
 * `granularity` (`hour` or `day`), `from` and `to` rounded down to their bucket, `to` by default
 * the start of the next bucket and `from` 24 hours or 30 days before `to`, at most 744 hourly or 400
 * daily buckets, `from` before `to`; `key_id` as given.
 */
export function parseUsageQuery(query: URLSearchParams, now: number): UsageParams {
  const granularity = param(query, "granularity") ?? "hour";
  if (granularity !== "hour" && granularity !== "day") throw invalid("granularity must be hour or day.");
  const step = granularity === "hour" ? HOUR_MS : DAY_MS;
  const givenFrom = time(query, "from");
  const givenTo = time(query, "to");
  const keyId = param(query, "key_id") ?? null;
  const to = givenTo === undefined ? floorTo(now, step) + step : floorTo(givenTo, step);
  const from =
    givenFrom === undefined ? to - (granularity === "hour" ? 24 * HOUR_MS : 30 * DAY_MS) : floorTo(givenFrom, step);
  if (from >= to) throw invalid("from must be before to, after both are rounded down to the bucket.");
  if ((to - from) / step > MAX_BUCKETS[granularity]) {
    throw invalid(`At most ${MAX_BUCKETS[granularity]} ${granularity === "hour" ? "hourly" : "daily"} buckets.`);
  }
  return { granularity, from, to, keyId };
}

export interface EventsParams {
  readonly after: string | null;
  readonly limit: number;
  readonly type: EventType | null;
}

/** `after` (a well-formed event id), `limit` (a plain decimal 1–100, default 50), `type` (a known type). */
export function parseEventsQuery(query: URLSearchParams): EventsParams {
  const after = param(query, "after") ?? null;
  if (after !== null && !EVENT_ID_PATTERN.test(after)) throw invalid("after must be an event id (evt_…).");
  const limitText = param(query, "limit");
  let limit = 50;
  if (limitText !== undefined) {
    if (!/^[0-9]{1,3}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 100) {
      throw invalid("limit must be a whole number from 1 to 100.");
    }
    limit = Number(limitText);
  }
  const type = param(query, "type") ?? null;
  if (type !== null && !(EVENT_TYPES as readonly string[]).includes(type)) throw invalid("type is not an event type.");
  return { after, limit, type: type as EventType | null };
}

/**
 * @module
 * What happened to an account and its keys (docs/events.md): the event types, their shape, and who
 * may be named as the actor. Data only.
 */

export const EVENT_TYPES = [
  "account.created",
  "account.updated",
  "key.created",
  "key.rolled",
  "key.revoked",
  "key.expiring",
  "key.expired",
  "quota.exhausted",
  "account.closed",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** An event as the events API answers it and the webhook delivers it. */
export interface AccountEvent {
  readonly id: string;
  readonly type: EventType;
  readonly account_id: string;
  /** RFC 3339 UTC. */
  readonly created_at: string;
  /** The admin call's `X-NearIQ-Actor`, `"github-secret-scanning"`, `"edge"`, or `null`. */
  readonly actor: string | null;
  readonly data: Record<string, unknown>;
}

/** `evt_` and 26 characters of `[0-9A-Z]`: a ULID, so ids sort in the order they were made. */
export const EVENT_ID_PATTERN = /^evt_[0-9A-Z]{26}$/;

/** What `X-NearIQ-Actor` may be: 1–200 printable ASCII characters (U+0020–U+007E). */
export const ACTOR_PATTERN = /^[\x20-\x7e]{1,200}$/;

export const LEAK_ACTOR = "github-secret-scanning";
export const EDGE_ACTOR = "edge";

/** `key.expiring` is recorded this long before a key's `expires_at`. */
export const EXPIRING_NOTICE_MS = 7 * 86_400_000;

/** Events are kept at least this long (docs/storage-schema.md). */
export const EVENT_RETENTION_MS = 91 * 86_400_000;

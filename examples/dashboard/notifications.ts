/**
 * @module
 * The dashboard's webhook receiver (docs/events.md#webhooks), a reference for the real dashboard
 * backend: every delivery is verified with the reference `standardwebhooks` package before anything
 * in it is believed; repeats are dropped by `webhook-id`; events are kept per account (the latest 50,
 * at most 1,000 accounts, 10,000 ids remembered) and ordered by their id, as deliveries may arrive out
 * of order. Then each event becomes a sentence a customer understands.
 */
import { Webhook } from "standardwebhooks";

export interface ReceivedEvent {
  id: string;
  type: string;
  account_id: string;
  created_at: string;
  actor: string | null;
  data: Record<string, unknown>;
}

const PER_ACCOUNT = 50;
const MAX_ACCOUNTS = 1_000;
const MAX_SEEN = 10_000;

export type Receipt = "accepted" | "repeat" | "unverified";

export class NotificationInbox {
  private readonly verifier: Webhook | null;
  private readonly seen = new Set<string>();
  private readonly byAccount = new Map<string, ReceivedEvent[]>();

  /** `secret`: EVENTS_WEBHOOK_SECRET; without one, nothing is ever accepted. */
  constructor(secret: string | undefined) {
    this.verifier = secret ? new Webhook(secret) : null;
  }

  /** Verifies and keeps one delivery; never trusts a body whose signature does not verify. */
  receive(rawBody: string, headers: Record<string, string>): Receipt {
    if (!this.verifier) return "unverified";
    let event: ReceivedEvent;
    try {
      event = this.verifier.verify(rawBody, headers) as ReceivedEvent;
    } catch {
      return "unverified";
    }
    const id = headers["webhook-id"] ?? "";
    if (this.seen.has(id)) return "repeat";
    this.seen.add(id);
    if (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.values().next().value as string);
    const list = this.byAccount.get(event.account_id) ?? [];
    list.push(event);
    list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.byAccount.delete(event.account_id);
    this.byAccount.set(event.account_id, list.slice(-PER_ACCOUNT));
    if (this.byAccount.size > MAX_ACCOUNTS) this.byAccount.delete(this.byAccount.keys().next().value as string);
    return "accepted";
  }

  /** The account's events, newest first. */
  of(accountId: string): ReceivedEvent[] {
    return [...(this.byAccount.get(accountId) ?? [])].reverse();
  }
}

const dateFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

function daysUntil(iso: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 86_400_000));
}

/** A notification: a sentence, and a link when there is one (a leak's location). */
export interface Notice {
  readonly id: string;
  readonly text: string;
  readonly link: string | null;
  readonly at: string;
}

/**
 * The sentence for an event, naming keys by their name (from `names`, key id → name) when they have
 * one. Events a customer need not be told about (their own changes) read plainly too.
 */
export function noticeFor(event: ReceivedEvent, names: ReadonlyMap<string, string | null>, now = Date.now()): Notice {
  const keyId = typeof event.data.key_id === "string" ? event.data.key_id : null;
  const named = keyId && names.get(keyId) ? `'${names.get(keyId)}'` : keyId ? keyId : "a key";
  const base = { id: event.id, link: null, at: event.created_at };
  switch (event.type) {
    case "key.revoked": {
      const leak = event.data.leak as { url?: string | null } | null;
      if (event.data.reason === "leaked") {
        return {
          ...base,
          text: `Your key ${named} was found in a public GitHub repository and revoked. Create a new key and remove the old one from the repository.`,
          link: leak?.url ?? null,
        };
      }
      return { ...base, text: `Key ${named} was revoked${event.actor ? ` by ${event.actor}` : ""}.` };
    }
    case "key.expiring": {
      const days = daysUntil(String(event.data.expires_at), now);
      return {
        ...base,
        text: `Key ${named} expires in ${days} day${days === 1 ? "" : "s"}. Roll it to keep your integration working.`,
      };
    }
    case "key.expired":
      return {
        ...base,
        text: `Key ${named} expired on ${dateFormat.format(new Date(String(event.data.expires_at)))}.`,
      };
    case "quota.exhausted": {
      const resets = new Date(String(event.data.resets_at)).toISOString().slice(11, 16);
      const limit = Number(event.data.limit).toLocaleString("en-US");
      return { ...base, text: `Your daily quota of ${limit} requests is used up; it resets at ${resets} UTC.` };
    }
    case "key.created":
      return {
        ...base,
        text: `Key ${(event.data as { name?: string | null }).name ? `'${(event.data as { name: string }).name}'` : named} was created.`,
      };
    case "key.rolled":
      return {
        ...base,
        text: `Key ${named} was rolled; the old key stops at ${String(event.data.expires_at).slice(0, 16).replace("T", " ")} UTC.`,
      };
    case "account.created":
      return { ...base, text: `Your account was created on the ${String(event.data.plan)} plan.` };
    case "account.updated":
      return { ...base, text: `Your plan or limits changed: now ${String(event.data.plan)}.` };
    default:
      return { ...base, text: `${event.type}.` };
  }
}

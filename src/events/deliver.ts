/**
 * @module
 * The `EVENTS` queue's consumer (docs/events.md#webhooks): POSTs each event to
 * `EVENTS_WEBHOOK_URL`, signed as Standard Webhooks says, with its own `webhook-timestamp` per
 * attempt and the event id as `webhook-id`. A 2xx within 10 s is a delivery; anything else (a
 * 3xx is not followed) is retried after about 1 s, 2 s, 4 s … doubling, at most 1 h apart; the
 * queue's `max_retries` keeps that going for more than 24 hours before the dead-letter queue. With
 * delivery off, messages are acknowledged and dropped (events recorded then are never delivered).
 */
import type { AccountEvent } from "../domain/events";
import { webhookHeaders } from "./signature";
import { webhookSettings } from "./webhook-config";

export const DELIVERY_TIMEOUT_MS = 10_000;
const MAX_DELAY_S = 3_600;

/** Seconds before the next attempt after `attempts` failed ones: 1, 2, 4 … at most 3600. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(MAX_DELAY_S, 2 ** Math.max(0, attempts - 1));
}

/** One delivery attempt; true when the receiver answered 2xx within 10 s. */
export async function deliverEvent(event: AccountEvent, url: URL, key: Uint8Array, now = Date.now()): Promise<boolean> {
  const body = JSON.stringify(event);
  const headers = await webhookHeaders(key, event.id, Math.floor(now / 1000), body);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 300;
  } catch {
    return false;
  }
}

/** The queue handler: deliver every message, retrying those that fail with a doubling delay. */
export async function deliverBatch(
  batch: MessageBatch<AccountEvent>,
  env: { EVENTS_WEBHOOK_URL?: string; EVENTS_WEBHOOK_SECRET?: string },
): Promise<void> {
  const settings = webhookSettings(env);
  await Promise.all(
    batch.messages.map(async (message) => {
      if (!settings.deliver || !settings.url || !settings.key) {
        message.ack();
        return;
      }
      // No log line of its own: the queue's metrics count attempts, retries and the dead-letter queue.
      const delivered = await deliverEvent(message.body, settings.url, settings.key);
      if (delivered) message.ack();
      else message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }),
  );
}

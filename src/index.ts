/**
 * @module
 * The Worker entry: the edge (`fetch`), the consumer of the `EVENTS` queue that delivers webhooks
 * (`queue`), and the key authority Durable Object class.
 */
import { fetchEdge } from "./app";
import type { AccountEvent } from "./domain/events";
import type { Bindings } from "./env";
import { deliverBatch } from "./events/deliver";

export { KeyAuthority } from "./authority/key-authority";

export default {
  fetch: fetchEdge,
  queue: (batch, env) => deliverBatch(batch as MessageBatch<AccountEvent>, env),
} satisfies ExportedHandler<Bindings>;

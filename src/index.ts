/**
 * @module
 * The Worker entry: the edge and the key authority Durable Object class.
 */
import { fetchEdge } from "./app";
import type { Bindings } from "./env";

export { KeyAuthority } from "./authority/key-authority";

export default { fetch: fetchEdge } satisfies ExportedHandler<Bindings>;

/**
 * @module
 * The Worker entry: the edge app and the key authority Durable Object class.
 */
import { app } from "./app";

export { KeyAuthority } from "./authority/key-authority";

export default app;

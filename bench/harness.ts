/**
 * What the benchmark needs from the project's own code on Node: key generation (bundled by
 * bench/run.mjs with esbuild).
 */
export { generateKey } from "../src/keys/format";

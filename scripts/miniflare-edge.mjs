/**
 * The bundled edge under Miniflare directly, as production runs it (no `wrangler dev` proxy): used
 * by the benchmark and by the end-to-end tests that need real HTTP connections into workerd.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const wranglerDir = resolve("node_modules/wrangler");

/** The wrangler (and so Miniflare and workerd) version the project pins. */
export const WRANGLER_VERSION = JSON.parse(readFileSync(join(wranglerDir, "package.json"), "utf8")).version;

/** wrangler.toml as Miniflare options: compatibility date and flags, vars, KV and Durable Objects. */
export function wranglerWorkerOptions() {
  return unstable_getMiniflareWorkerOptions("wrangler.toml").workerOptions;
}

/** Miniflare as wrangler ships it, so that the runtime is the one `wrangler dev` runs. */
export async function loadMiniflare() {
  const url = pathToFileURL(join(wranglerDir, "node_modules/miniflare/dist/src/index.js")).href;
  return (await import(url)).Miniflare;
}

/**
 * Bundles the edge with `wrangler deploy --dry-run` into `outDir`, which must lie inside the
 * working folder (workerd refuses module paths that climb out of it).
 * @param {string} outDir
 */
export function bundleEdge(outDir) {
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outDir], { stdio: "ignore" });
  return relative(process.cwd(), join(outDir, "index.js"));
}

/**
 * Starts the bundled edge on 127.0.0.1:`port` with wrangler.toml's bindings plus `bindings`.
 * @param {{ scriptPath: string, port: number, bindings: Record<string, string>, onStdout?: (chunk: Buffer) => void, inspectorPort?: number }} options
 */
export async function startEdge({ scriptPath, port, bindings, onStdout, inspectorPort }) {
  const Miniflare = await loadMiniflare();
  const workerOptions = wranglerWorkerOptions();
  const edge = new Miniflare({
    host: "127.0.0.1",
    port,
    modules: true,
    scriptPath,
    compatibilityDate: workerOptions.compatibilityDate,
    compatibilityFlags: workerOptions.compatibilityFlags,
    bindings: { ...workerOptions.bindings, ...bindings },
    kvNamespaces: workerOptions.kvNamespaces,
    durableObjects: workerOptions.durableObjects,
    ...(inspectorPort ? { inspectorPort } : {}),
    handleRuntimeStdio(stdout, stderr) {
      if (onStdout) stdout.on("data", onStdout);
      else stdout.resume();
      stderr.resume();
    },
  });
  await edge.ready;
  return edge;
}

/**
 * Bundles examples/dashboard (TypeScript, which Node 20 cannot run as it is) with esbuild into
 * .dashboard/server.mjs, next to its static files; packages stay in node_modules.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";

export function buildDashboard(outDir = ".dashboard") {
  mkdirSync(outDir, { recursive: true });
  const outfile = resolve(outDir, "server.mjs");
  execFileSync(
    "npx",
    [
      "esbuild",
      "examples/dashboard/server.ts",
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--packages=external",
      `--outfile=${outfile}`,
    ],
    { stdio: "ignore" },
  );
  cpSync("examples/dashboard/public", resolve(outDir, "public"), { recursive: true });
  return outfile;
}

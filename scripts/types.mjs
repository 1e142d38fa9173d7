/**
 * `npm run types` / `npm run types -- --check`: `wrangler types` for worker-configuration.d.ts.
 * While it runs, `.dev.vars` is replaced by one with the same names that `npm run dev` writes and
 * placeholder values: local secrets never shape the checked-in types, and `wrangler dev`, which checks
 * the types against the names in the real `.dev.vars`, finds them current (no "types might be
 * out of date"). The secrets' own types are in src/env.ts.
 */
import { spawnSync } from "node:child_process";
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { DEV_VAR_NAMES } from "./dev-vars.mjs";

const aside = ".dev.vars.types-aside";
const moved = existsSync(".dev.vars");
if (moved) renameSync(".dev.vars", aside);
let status = 1;
try {
  writeFileSync(".dev.vars", DEV_VAR_NAMES.map((name) => `${name}=placeholder`).join("\n"));
  const args = ["wrangler", "types", "--strict-vars=false", ...process.argv.slice(2)];
  status = spawnSync("npx", args, { stdio: "inherit" }).status ?? 1;
} finally {
  rmSync(".dev.vars", { force: true });
  if (moved) renameSync(aside, ".dev.vars");
}
process.exit(status);

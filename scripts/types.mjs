/**
 * `npm run types` / `npm run types -- --check`: `wrangler types` for worker-configuration.d.ts.
 * `.dev.vars` is set aside while it runs, so that local secrets never shape the checked-in types
 * (secrets are typed by hand in src/env.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, renameSync } from "node:fs";

const aside = ".dev.vars.types-aside";
const moved = existsSync(".dev.vars");
if (moved) renameSync(".dev.vars", aside);
let status = 1;
try {
  const args = ["wrangler", "types", "--strict-vars=false", ...process.argv.slice(2)];
  status = spawnSync("npx", args, { stdio: "inherit" }).status ?? 1;
} finally {
  if (moved) renameSync(aside, ".dev.vars");
}
process.exit(status);

/**
 * `npm run dev`: creates `.dev.vars` with fresh local secrets when it is missing, then runs the
 * edge (wrangler dev, 127.0.0.1:8787), the example origin (127.0.0.1:8788) and the dashboard's
 * Settings → API (127.0.0.1:8789) together, and stops them all on Ctrl-C or when one exits.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { buildDashboard } from "./build-dashboard.mjs";
import { ensureDevVars, readDevVars } from "./dev-vars.mjs";

const edgePort = process.env.EDGE_PORT ?? "8787";
const originPort = process.env.ORIGIN_PORT ?? "8788";
const dashboardPort = process.env.DASHBOARD_PORT ?? "8789";

if (await ensureDevVars()) console.log("dev: created .dev.vars with fresh local secrets (git-ignored)");
const dashboard = buildDashboard();

// wrangler is started without npx in between, so that the signal we forward reaches it.
const wrangler = fileURLToPath(import.meta.resolve("wrangler/bin/wrangler.js"));
const children = [
  spawn(process.execPath, [wrangler, "dev", "--ip", "127.0.0.1", "--port", edgePort], { stdio: "inherit" }),
  spawn(process.execPath, ["examples/origin/server.mjs"], {
    stdio: "inherit",
    env: { ...process.env, PORT: originPort, EDGE_URL: `http://127.0.0.1:${edgePort}` },
  }),
  spawn(process.execPath, [dashboard], {
    stdio: "inherit",
    env: {
      ...process.env,
      PORT: dashboardPort,
      EDGE_URL: `http://127.0.0.1:${edgePort}`,
      ADMIN_TOKEN: readDevVars()?.ADMIN_TOKEN ?? "",
    },
  }),
];

let stopping = false;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGINT");
  setTimeout(() => process.exit(code), 500).unref();
}

for (const child of children) child.on("exit", (code) => stopAll(code ?? 0));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => stopAll(0));

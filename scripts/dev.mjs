/**
 * `npm run dev`: creates `.dev.vars` with fresh local secrets when it is missing (and adds the names
 * an older one lacks), then runs together, until Ctrl-C or until one of them exits:
 *
 *   the edge (wrangler dev)              EDGE_PORT       8787
 *   the example origin                   ORIGIN_PORT     8788
 *   Settings → API (+ webhook receiver)  DASHBOARD_PORT  8789
 *   the sandbox origin of test keys      SANDBOX_PORT    8790
 *
 * `npm run dev -- --edge-only` runs the edge alone (for an origin of your own on ORIGIN_PORT).
 * A port that is taken is named, with what probably holds it, and the command exits 1.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { buildDashboard } from "./build-dashboard.mjs";
import { ensureDevVars, readDevVars } from "./dev-vars.mjs";

const edgeOnly = process.argv.includes("--edge-only");
const unknown = process.argv.slice(2).filter((a) => a !== "--edge-only");
if (unknown.length > 0) {
  console.error(`dev: unknown option ${unknown[0]} (the only option is --edge-only)`);
  process.exit(2);
}

const ports = {
  edge: Number(process.env.EDGE_PORT ?? 8787),
  origin: Number(process.env.ORIGIN_PORT ?? 8788),
  dashboard: Number(process.env.DASHBOARD_PORT ?? 8789),
  sandbox: Number(process.env.SANDBOX_PORT ?? 8790),
};
const names = {
  edge: "the edge",
  origin: "the example origin",
  dashboard: "Settings → API",
  sandbox: "the sandbox origin",
};
const needed = edgeOnly ? ["edge"] : Object.keys(ports);

/** Whether 127.0.0.1:`port` can be listened on now. */
function free(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

for (const part of needed) {
  const port = ports[part];
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`dev: ${part.toUpperCase()}_PORT must be a port number, not ${JSON.stringify(String(port))}`);
    process.exit(2);
  }
  if (!(await free(port))) {
    console.error(
      `dev: port ${port} (${names[part]}) is already taken: the stack may already be running (another \`npm run dev\`?).\n` +
        `     Stop it, or choose other ports: EDGE_PORT, ORIGIN_PORT, DASHBOARD_PORT, SANDBOX_PORT (docs/configuration.md).`,
    );
    process.exit(1);
  }
}

const made = await ensureDevVars();
if (made === "created") console.log("dev: created .dev.vars with fresh local secrets (git-ignored)");
if (made === "completed")
  console.log("dev: added the settings .dev.vars lacked (webhooks, sandbox origin); kept the rest");
const vars = readDevVars() ?? {};

const local = (port) => `http://127.0.0.1:${port}`;
const edgeUrl = local(ports.edge);
// Where the edge finds the parts on the ports chosen now (.dev.vars holds the defaults).
const edgeVars = edgeOnly
  ? []
  : [
      `ORIGIN_URL:${local(ports.origin)}`,
      `ORIGIN_TEST_URL:${local(ports.sandbox)}`,
      `EVENTS_WEBHOOK_URL:${local(ports.dashboard)}/webhooks/neariq`,
    ].flatMap((v) => ["--var", v]);

// wrangler is started without npx in between, so that the signal we forward reaches it.
const wrangler = fileURLToPath(import.meta.resolve("wrangler/bin/wrangler.js"));
const children = [
  spawn(process.execPath, [wrangler, "dev", "--ip", "127.0.0.1", "--port", String(ports.edge), ...edgeVars], {
    stdio: "inherit",
  }),
];
if (!edgeOnly) {
  const dashboard = buildDashboard();
  const origin = (port, mode) =>
    spawn(process.execPath, ["examples/origin/server.mjs"], {
      stdio: "inherit",
      env: { ...process.env, PORT: String(port), EDGE_URL: edgeUrl, ORIGIN_MODE: mode },
    });
  children.push(
    origin(ports.origin, "live"),
    origin(ports.sandbox, "test"),
    spawn(process.execPath, [dashboard], {
      stdio: "inherit",
      env: {
        ...process.env,
        PORT: String(ports.dashboard),
        EDGE_URL: edgeUrl,
        ADMIN_TOKEN: vars.ADMIN_TOKEN ?? "",
        EVENTS_WEBHOOK_SECRET: vars.EVENTS_WEBHOOK_SECRET ?? "",
      },
    }),
  );
}

let stopping = false;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGINT");
  setTimeout(() => process.exit(code), 500).unref();
}

for (const child of children)
  child.on("exit", (code, signal) => stopAll(stopping ? 0 : (code ?? (signal ? 1 : 0)) || 1));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => stopAll(0));

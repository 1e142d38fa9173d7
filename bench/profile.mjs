/**
 * `npm run bench:profile`: a CPU profile of the edge's hot path (a valid, leased key with limits
 * on) under Miniflare, taken through workerd's inspector while wrk drives it, and summed by
 * function: where the edge's own CPU goes. Writes bench/.out/edge.cpuprofile (open it in Chrome's
 * DevTools) and prints the top functions by self time.
 *
 *   PROFILE_SECONDS (5)   how long wrk drives the edge while the profiler runs
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import WebSocket from "ws";
import { freshDevVars } from "../scripts/dev-vars.mjs";
import { bundleEdge, startEdge } from "../scripts/miniflare-edge.mjs";

const OUT = resolve("bench/.out");
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 5);
const ORIGIN_PORT = 18910;
const EDGE_PORT = 18911;
const INSPECTOR_PORT = 18912;
const PATH = "/v1/competitors?city=austin";
mkdirSync(OUT, { recursive: true });

const origin = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}');
  });
});
await new Promise((r) => origin.listen(ORIGIN_PORT, "127.0.0.1", r));
const secrets = await freshDevVars(`http://127.0.0.1:${ORIGIN_PORT}`);
const edge = await startEdge({
  scriptPath: bundleEdge(join(OUT, "profile-edge")),
  port: EDGE_PORT,
  bindings: { ...secrets },
  inspectorPort: INSPECTOR_PORT,
});
const base = `http://127.0.0.1:${EDGE_PORT}`;
const admin = (method, path, body) =>
  fetch(`${base}/_admin${path}`, {
    method,
    headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
    body: JSON.stringify(body),
  }).then((r) => r.json());
await admin("PUT", "/accounts/profile", { plan: "pro", limits: { per_minute: 1e9, per_day: 1e9 } });
const { key } = await admin("POST", "/accounts/profile/keys", {});

const targets = await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json`)).json();
// The user Worker is Miniflare's `core:user:…` service; the others are Miniflare's own.
const target = targets.find((t) => String(t.title ?? t.id).includes("core:user")) ?? targets[0];
const socket = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((r) => socket.once("open", r));
let nextId = 1;
const send = (method, params = {}) =>
  new Promise((resolveSend) => {
    const id = nextId++;
    const onMessage = (data) => {
      const message = JSON.parse(String(data));
      if (message.id !== id) return;
      socket.off("message", onMessage);
      resolveSend(message.result);
    };
    socket.on("message", onMessage);
    socket.send(JSON.stringify({ id, method, params }));
  });

await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 100 });
const script = join(OUT, "profile.lua");
writeFileSync(
  script,
  `request = function() return wrk.format("GET", "${PATH}", { ["X-NearIQ-Key"] = "${key}" }) end\n`,
);
const execFileAsync = promisify(execFile);
await execFileAsync("wrk", ["-t1", "-c8", "-d1s", "-s", script, `${base}${PATH}`]); // warm-up
await send("Profiler.start");
await execFileAsync("wrk", ["-t1", "-c8", `-d${SECONDS}s`, "-s", script, `${base}${PATH}`]);
const { profile } = await send("Profiler.stop");
socket.close();
await edge.dispose();
origin.close();
writeFileSync(join(OUT, "edge.cpuprofile"), JSON.stringify(profile));

// Self time per function, from the samples; and per bundled module (the bundle marks each module
// with a `// path` comment line), so that Hono, our modules and the runtime can be told apart.
const bundleLines = readFileSync(join(OUT, "profile-edge", "index.js"), "utf8").split("\n");
const moduleStarts = [];
bundleLines.forEach((line, i) => {
  const mark = /^\/\/ ((?:node_modules|src|\.\.)\/\S+)$/.exec(line);
  if (mark) moduleStarts.push([i, mark[1].replace(/^node_modules\/(@[^/]+\/[^/]+|[^/]+)\/.*$/, "$1 (dependency)")]);
});
function moduleOf(frame) {
  if (!frame.url) return "(runtime: workerd, GC, idle)";
  let found = "(bundle prelude)";
  for (const [start, name] of moduleStarts) {
    if (start > frame.lineNumber) break;
    found = name;
  }
  return found;
}
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const perModule = new Map();
const gaps = profile.timeDeltas;
profile.samples.forEach((id, i) => {
  const node = byId.get(id);
  const frame = node.callFrame;
  const file = frame.url.split("/").slice(-2).join("/") || "(runtime)";
  const name = `${frame.functionName || "(anonymous)"}  ${file}:${frame.lineNumber + 1}`;
  self.set(name, (self.get(name) ?? 0) + (gaps[i] ?? 0));
  const module = frame.functionName === "(idle)" ? "(idle)" : moduleOf(frame);
  perModule.set(module, (perModule.get(module) ?? 0) + (gaps[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const table = (title, rows, label) => {
  console.log(title);
  console.log("");
  console.log(`| share | self ms | ${label} |`);
  console.log("|---|---|---|");
  for (const [name, us] of rows)
    console.log(`| ${((100 * us) / total).toFixed(1)} % | ${(us / 1000).toFixed(1)} | \`${name}\` |`);
  console.log("");
};
table(
  `CPU profile of the edge, valid leased key, limits on, ${SECONDS} s of wrk -c8: self time by function`,
  [...self].sort((a, b) => b[1] - a[1]).slice(0, 25),
  "function",
);
table("Self time by module of the bundle", [...perModule].sort((a, b) => b[1] - a[1]).slice(0, 25), "module");

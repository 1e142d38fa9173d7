/**
 * `npm run bench`: the edge against the limit, a bare pass-through Worker, and against the floor
 * (bench/floor-worker.mjs: for a valid key, bare plus one signature and one log line; for a
 * refusal, a 401 answered at once with one log line), on the same runtime and the same local
 * origin, driven by wrk. Every Worker runs in Miniflare directly (the bundle from
 * `wrangler deploy --dry-run`, bindings from wrangler's `unstable_getMiniflareWorkerOptions`), so
 * that we measure the Worker, not `wrangler dev`'s proxy. Runs alternate bare/floor/edge so that
 * drift of the machine cancels out.
 *
 *   BENCH_SECONDS (4)  length of each run     BENCH_CONNECTIONS (16)  wrk connections
 *   BENCH_ROUNDS (2)   bare/edge pairs per scenario
 *   BENCH_ALG (EdDSA)  the signing key: EdDSA or ES256      BENCH_ONLY  run the scenarios whose name has this
 *   BENCH_FIXED_SECONDS (12), BENCH_FIXED_ROUNDS (3)  fixed-rate load per target, in alternating rounds
 *   BENCH_SKIP_FIXED, BENCH_SKIP_NEAR, BENCH_SKIP_MEMORY  (=1) leave out a phase
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, createServer, request } from "node:http";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { freshDevVars } from "../scripts/dev-vars.mjs";
import {
  bundleEdge,
  loadMiniflare,
  startEdge,
  WRANGLER_VERSION,
  wranglerWorkerOptions,
} from "../scripts/miniflare-edge.mjs";
import { fixedRate, quantile } from "./fixed-rate.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const OUT = resolve("bench/.out");
const ORIGIN_PORT = 18900;
const BARE_PORT = 18901;
const EDGE_PORT = 18902;
const STRICT_PORT = 18903;
const FLOOR_PORT = 18904;
const REFUSAL_FLOOR_PORT = 18905;
const NO_USAGE_PORT = 18906;
const NEAR_SECONDS = Number(process.env.BENCH_NEAR_SECONDS ?? 120);
const FIXED_SECONDS = Number(process.env.BENCH_FIXED_SECONDS ?? 12);
const FIXED_ROUNDS = Number(process.env.BENCH_FIXED_ROUNDS ?? 3);
const ORIGIN = `http://127.0.0.1:${ORIGIN_PORT}`;
const PATH = "/v1/competitors?city=austin";

function ensureWrk() {
  if (spawnSync("wrk", ["--version"]).error === undefined) return;
  console.log("bench: installing wrk from Debian's packages");
  execFileSync("apt-get", ["install", "-y", "-qq", "wrk"], { stdio: "inherit" });
}

function log(message) {
  process.stderr.write(`bench: ${message}\n`);
}

// --- build -----------------------------------------------------------------------------------
mkdirSync(OUT, { recursive: true });
ensureWrk();
log("bundling the edge (wrangler deploy --dry-run) and the harness (esbuild)");
const edgeScript = bundleEdge(join(OUT, "edge"));
// The same bundle with usage counting taken out (countUsage returns at once): the baseline for
// what counting costs. Fails when the bundle no longer holds the function exactly once.
const noUsageScript = join(OUT, "edge-no-usage.js");
{
  const text = readFileSync(edgeScript, "utf8");
  const head = /function countUsage\(([^)]*)\) \{/g;
  const found = text.match(head) ?? [];
  if (found.length !== 1) throw new Error(`bench: expected one countUsage in the bundle, found ${found.length}`);
  writeFileSync(
    noUsageScript,
    text.replace(head, (whole) => `${whole}\n  return;`),
  );
}
execFileSync(
  "npx",
  [
    "esbuild",
    "bench/harness.ts",
    "--bundle",
    "--platform=node",
    "--format=esm",
    `--outfile=${join(OUT, "harness.mjs")}`,
  ],
  { stdio: "ignore" },
);
const harness = await import(pathToFileURL(join(OUT, "harness.mjs")).href);
const Miniflare = await loadMiniflare();

// --- the origin, the bare Worker and the edge ------------------------------------------------
const origin = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}');
  });
});
origin.keepAliveTimeout = 60_000;
await new Promise((r) => origin.listen(ORIGIN_PORT, "127.0.0.1", r));

function workerdPids() {
  const out = execFileSync("ps", ["-eo", "pid=,args="]).toString();
  return out
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([, cmd]) => cmd?.includes("workerd"))
    .map(([pid]) => Number(pid));
}

/** CPU seconds (user + system) the process has used so far, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const ALG = process.env.BENCH_ALG ?? "EdDSA";
const secrets = await freshDevVars(ORIGIN, ALG);
const logChunks = [];
/**
 * Starts a Worker with `start()` and returns it with its target: its URL and the pid of the workerd
 * process it brought up (the one that was not there before).
 */
async function startWorker(port, start) {
  const known = new Set(workerdPids());
  const worker = await start();
  const pid = workerdPids().find((p) => !known.has(p));
  return { worker, target: { url: `http://127.0.0.1:${port}`, pid } };
}

/** A reference Worker (bench/*-worker.mjs) in a Miniflare of its own; its output is dropped. */
function startReference(port, script, bindings) {
  return startWorker(port, async () => {
    const mf = new Miniflare({
      host: "127.0.0.1",
      port,
      modules: true,
      scriptPath: resolve(script),
      compatibilityDate: wranglerWorkerOptions().compatibilityDate,
      bindings,
      handleRuntimeStdio(stdout, stderr) {
        stdout.resume();
        stderr.resume();
      },
    });
    await mf.ready;
    return mf;
  });
}

/** A bundle of the edge (`scriptPath`) in a Miniflare of its own, its log lines kept for the leak check. */
function startBenchEdge(port, scriptPath, bindings = {}) {
  return startWorker(port, () =>
    startEdge({
      scriptPath,
      port,
      bindings: { ...secrets, ORIGIN_URL: ORIGIN, ...bindings },
      onStdout: (chunk) => logChunks.push(chunk),
    }),
  );
}

const { worker: edge, target: EDGE } = await startBenchEdge(EDGE_PORT, edgeScript);
// The same edge at AUTH_LEASE_MS=0: the strict design that asks the authority on every request,
// the baseline for what leases buy.
const { worker: strict, target: STRICT } = await startBenchEdge(STRICT_PORT, edgeScript, { AUTH_LEASE_MS: "0" });
// The same edge with usage counting taken out: the baseline for what counting costs.
const { worker: noUsage, target: NO_USAGE } = await startBenchEdge(NO_USAGE_PORT, noUsageScript);
const { worker: bare, target: BARE } = await startReference(BARE_PORT, "bench/bare-worker.mjs", {
  ORIGIN_URL: ORIGIN,
});
// The floor: the bare Worker plus what the documented rules make unavoidable (one signature, one log line).
const floorBindings = { ORIGIN_URL: ORIGIN, ASSERTION_PRIVATE_JWK: secrets.ASSERTION_PRIVATE_JWK };
const { worker: floor, target: FLOOR } = await startReference(FLOOR_PORT, "bench/floor-worker.mjs", floorBindings);
// The floor of a refusal: a 401 problem+json answered at once, with one log line.
const { worker: refusalFloor, target: REFUSAL_FLOOR } = await startReference(
  REFUSAL_FLOOR_PORT,
  "bench/floor-worker.mjs",
  { ...floorBindings, REFUSE: "1" },
);

// --- accounts and keys -----------------------------------------------------------------------
async function adminCall(method, path, body, target = EDGE) {
  const res = await fetch(`${target.url}/_admin${path}`, {
    method,
    headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}
log("creating accounts and keys");
// Limits far above the offered load: the quota leases are on, nothing is refused.
const FAR_ABOVE = { per_minute: 1_000_000_000, per_day: 1_000_000_000 };
await adminCall("PUT", "/accounts/bench", { plan: "pro", limits: FAR_ABOVE });
const validKey = (await adminCall("POST", "/accounts/bench/keys", { name: "valid" })).key;
await adminCall("PUT", "/accounts/unmetered", { plan: "pro", limits: { per_minute: null, per_day: null } });
const unmeteredKey = (await adminCall("POST", "/accounts/unmetered/keys", { name: "unmetered" })).key;
const manyKeys = [];
for (let i = 0; i < 200; i++) manyKeys.push((await adminCall("POST", "/accounts/bench/keys", {})).key);
const revoked = await adminCall("POST", "/accounts/bench/keys", { name: "revoked" });
await adminCall("DELETE", `/accounts/bench/keys/${revoked.id}`);
const malformed = Array.from({ length: 100 }, (_, i) =>
  i % 2 ? `niq_live_${harness.generateKey("").slice(0, 37)}x` : `junk${i}`,
);
const unknown = Array.from({ length: 1000 }, () => harness.generateKey("niq_live_"));
await adminCall("PUT", "/accounts/bench", { plan: "pro", limits: FAR_ABOVE }, STRICT);
const strictKey = (await adminCall("POST", "/accounts/bench/keys", { name: "strict" }, STRICT)).key;
await adminCall("PUT", "/accounts/bench", { plan: "pro", limits: FAR_ABOVE }, NO_USAGE);
const noUsageKey = (await adminCall("POST", "/accounts/bench/keys", { name: "no usage" }, NO_USAGE)).key;

// --- load --------------------------------------------------------------------------------------
/**
 * A wrk script that cycles through `keys` and counts every answer by status, per thread; `done`
 * prints the counts as `status <code> <count>` lines for {@link wrk} to read.
 */
function luaScript(name, keys) {
  const file = join(OUT, `${name}.lua`);
  const list = keys.map((k) => `"${k}"`).join(",\n");
  writeFileSync(
    file,
    `local keys = {
${list}
}
local n = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function request()
  n = n + 1
  return wrk.format("GET", "${PATH}", { ["X-NearIQ-Key"] = keys[(n % #keys) + 1] })
end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do io.write(string.format("status %d %d\\n", status, count)) end
  end
end
`,
  );
  return file;
}

function toMs(value, unit) {
  return Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
}

const execFileAsync = promisify(execFile);

/** wrk runs as its own process; awaiting it keeps this process's event loop (the origin) serving. */
async function wrk(target, script, seconds = SECONDS) {
  const { url: base, pid } = target;
  const cpuBefore = pid ? cpuSeconds(pid) : Number.NaN;
  const { stdout: out } = await execFileAsync("wrk", [
    "-t2",
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    "--latency",
    "-s",
    script,
    `${base}${PATH}`,
  ]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const p = (q) => {
    const m = new RegExp(`\\s${q}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return m ? toMs(m[1], m[2]) : Number.NaN;
  };
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const cpuMsPerRequest = pid ? ((cpuSeconds(pid) - cpuBefore) * 1000) / Math.max(1, total) : Number.NaN;
  const statuses = {};
  for (const [, status, count] of out.matchAll(/^status (\d+) (\d+)$/gm)) {
    statuses[status] = (statuses[status] ?? 0) + Number(count);
  }
  return { rps, p50: p(50), p99: p(99), total, cpuMsPerRequest, statuses };
}

function drainLogCounts() {
  const text = Buffer.concat(logChunks.splice(0)).toString();
  const sums = { requests: 0, kv_reads: 0, authority_calls: 0, authority_writes: 0 };
  for (const line of text.split("\n")) {
    if (!line.startsWith('{"request_id"')) continue;
    const entry = JSON.parse(line);
    sums.requests++;
    sums.kv_reads += entry.kv_reads;
    sums.authority_calls += entry.authority_calls;
    sums.authority_writes += entry.authority_writes ?? 0;
  }
  return sums;
}

/**
 * Each scenario: the keys it cycles through, the edge it drives, and the one status every answer
 * must have. A refusal's floor is the refusal floor (a 401 answered at once), a valid key's the
 * signing floor.
 */
const allScenarios = [
  { name: "valid key", keys: [validKey], target: EDGE, status: 200 },
  { name: "valid key, no limits", keys: [unmeteredKey], target: EDGE, status: 200 },
  { name: "valid key, AUTH_LEASE_MS=0", keys: [strictKey], target: STRICT, status: 200 },
  { name: "valid key, usage counting taken out", keys: [noUsageKey], target: NO_USAGE, status: 200 },
  { name: "malformed keys", keys: malformed, target: EDGE, status: 401 },
  // 12 s at least: past the point where the unknown keys' entries are asked about again (8–10 s).
  { name: "unknown keys (well-formed)", keys: unknown, target: EDGE, status: 401, seconds: Math.max(SECONDS, 12) },
  { name: "revoked key", keys: [revoked.key], target: EDGE, status: 401 },
  { name: "200 keys of one account", keys: manyKeys, target: EDGE, status: 200 },
];

const scenarios = process.env.BENCH_ONLY
  ? allScenarios.filter(({ name }) => name.includes(process.env.BENCH_ONLY))
  : allScenarios;
/** Answers whose status is not the scenario's (bare included: it answers the origin's 200), by status. */
function unexpectedStatuses(runs, expected) {
  const wrong = {};
  for (const run of runs) {
    for (const [status, count] of Object.entries(run.statuses)) {
      if (Number(status) !== expected) wrong[status] = (wrong[status] ?? 0) + count;
    }
  }
  return wrong;
}
function mergeCounts(into, counts) {
  for (const [k, v] of Object.entries(counts)) into[k] = (into[k] ?? 0) + v;
  return into;
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const results = [];
const floorOf = (status) => (status === 401 ? REFUSAL_FLOOR : FLOOR);
for (const { name, keys, target, status, seconds = SECONDS } of scenarios) {
  const script = luaScript(name.replace(/\W+/g, "-"), keys);
  const bareRuns = [];
  const floorRuns = [];
  const edgeRuns = [];
  const counts = { requests: 0, kv_reads: 0, authority_calls: 0, authority_writes: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    log(`${name}: round ${round + 1}/${ROUNDS}`);
    // Each run has its own 1 s warm-up, so that it starts from the state a steady load keeps (the
    // edge's caches would otherwise have run out while the other two ran): first KV reads, leases, JIT.
    await wrk(BARE, script, 1);
    bareRuns.push(await wrk(BARE, script, seconds));
    await wrk(floorOf(status), script, 1);
    floorRuns.push(await wrk(floorOf(status), script, seconds));
    await wrk(target, script, 1);
    drainLogCounts();
    edgeRuns.push(await wrk(target, script, seconds));
    const c = drainLogCounts();
    for (const k of Object.keys(counts)) counts[k] += c[k];
  }
  const row = {
    scenario: name,
    expected: status,
    bare_rps: mean(bareRuns.map((r) => r.rps)),
    floor_rps: mean(floorRuns.map((r) => r.rps)),
    floor_p99: mean(floorRuns.map((r) => r.p99)),
    floor_cpu_ms: mean(floorRuns.map((r) => r.cpuMsPerRequest)),
    edge_rps: mean(edgeRuns.map((r) => r.rps)),
    bare_p50: mean(bareRuns.map((r) => r.p50)),
    edge_p50: mean(edgeRuns.map((r) => r.p50)),
    bare_p99: mean(bareRuns.map((r) => r.p99)),
    edge_p99: mean(edgeRuns.map((r) => r.p99)),
    bare_cpu_ms: mean(bareRuns.map((r) => r.cpuMsPerRequest)),
    edge_cpu_ms: mean(edgeRuns.map((r) => r.cpuMsPerRequest)),
    kv_reads_per_request: counts.kv_reads / Math.max(1, counts.requests),
    authority_calls_per_request: counts.authority_calls / Math.max(1, counts.requests),
    authority_writes_per_request: counts.authority_writes / Math.max(1, counts.requests),
    logged_requests: counts.requests,
    statuses: edgeRuns.reduce((all, run) => mergeCounts(all, run.statuses), {}),
    unexpected: {
      bare: {
        ...unexpectedStatuses(bareRuns, 200),
        ...unexpectedStatuses(floorRuns, status === 401 ? 401 : 200),
      },
      edge: unexpectedStatuses(edgeRuns, status),
    },
  };
  row.ratio = row.edge_rps / row.bare_rps;
  row.floor_ratio = row.edge_rps / row.floor_rps;
  results.push(row);
}

// --- added latency at a fixed rate: 25 % and 50 % of the bare Worker's capacity ------------------
/**
 * Latency at a fixed `rate` for each of `targets`, in FIXED_ROUNDS alternating rounds of
 * FIXED_SECONDS / FIXED_ROUNDS each, pooled: drift of the machine falls on every target alike.
 * Request i sends `keys[i % keys.length]`. The load runs in a process of its own, so that this
 * process's origin and log collector cannot delay its schedule or its clock.
 */
async function fixedRateRounds(label, rate, targets, keys) {
  const job = join(OUT, "fixed-rate-job.json");
  const run = async (target, seconds) => {
    writeFileSync(job, JSON.stringify({ url: `${target.url}${PATH}`, rate, seconds, keys }));
    const { stdout } = await execFileAsync(process.execPath, ["bench/fixed-rate.mjs", job], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout);
  };
  const pooled = Object.fromEntries(targets.map(([name]) => [name, { latenciesMs: [], statuses: {} }]));
  for (let round = 0; round < FIXED_ROUNDS; round++) {
    for (const [name, target] of targets) {
      log(`${label} (${rate} req/s), round ${round + 1}/${FIXED_ROUNDS}: ${name}`);
      await run(target, 1); // warm-up, not counted
      const measured = await run(target, FIXED_SECONDS / FIXED_ROUNDS);
      pooled[name].latenciesMs.push(...measured.latenciesMs);
      mergeCounts(pooled[name].statuses, measured.statuses);
    }
  }
  drainLogCounts();
  return Object.fromEntries(
    Object.entries(pooled).map(([name, { latenciesMs, statuses }]) => [
      name,
      { p50: quantile(latenciesMs, 0.5), p99: quantile(latenciesMs, 0.99), statuses },
    ]),
  );
}

const fixed = [];
const validRowEarly = results.find((r) => r.scenario === "valid key");
if (validRowEarly && process.env.BENCH_SKIP_FIXED !== "1") {
  for (const share of [0.25, 0.5]) {
    const rate = Math.max(10, Math.round(validRowEarly.bare_rps * share));
    const targets = [
      ["bare", BARE],
      ["floor", FLOOR],
      ["edge", EDGE],
    ];
    const label = `fixed rate ${Math.round(share * 100)} %`;
    fixed.push({ share, rate, ...(await fixedRateRounds(label, rate, targets, [validKey])) });
  }
}

// --- refusals at a fixed rate: the refusal tail without a closed loop at saturation --------------
// wrk keeps 16 requests in flight whatever the answers take; a refusal needs no origin, so the edge
// (and the refusal floor) answer refusals faster than the bare Worker forwards, and wrk drives them
// into their own saturation. At a fixed rate below saturation, all answer the same offered load.
const refusalsFixed = [];
const bareCapacity = (validRowEarly ?? results[0])?.bare_rps;
if (bareCapacity && process.env.BENCH_SKIP_FIXED !== "1") {
  const rate = Math.max(10, Math.round(bareCapacity * 0.25));
  for (const { name, keys } of allScenarios.filter((s) => s.status === 401)) {
    const targets = [
      ["bare", BARE],
      ["floor", REFUSAL_FLOOR],
      ["edge", EDGE],
    ];
    refusalsFixed.push({
      scenario: name,
      rate,
      ...(await fixedRateRounds(`refusals: ${name}`, rate, targets, keys)),
    });
  }
}

// --- near the limit: offered load 2x the account's per-minute limit -------------------------------
let near = null;
if (process.env.BENCH_SKIP_NEAR !== "1") {
  const limit = Number(process.env.BENCH_NEAR_LIMIT ?? 3000);
  await adminCall("PUT", "/accounts/near", { plan: "pro", limits: { per_minute: limit, per_day: null } });
  const nearKey = (await adminCall("POST", "/accounts/near/keys", { name: "near" })).key;
  const rate = (2 * limit) / 60;
  log(`near the limit: ${rate.toFixed(1)} req/s for ${NEAR_SECONDS} s against ${limit} per minute`);
  drainLogCounts();
  const byMinute = new Map();
  const run = await fixedRate({
    url: `${EDGE.url}${PATH}`,
    headers: { "X-NearIQ-Key": nearKey },
    rate,
    seconds: NEAR_SECONDS,
    onAnswer(status, at, headers) {
      // The window an answer belongs to, by the edge's clock: its end is `t` seconds away in the
      // RateLimit header (rounded to the minute), so that answers crossing a boundary count right.
      const t = Number(/"minute";r=\d+;t=(\d+)/.exec(String(headers.ratelimit ?? ""))?.[1] ?? Number.NaN);
      const minute = Number.isFinite(t) ? Math.round((at + t * 1000) / 60_000) * 60_000 - 60_000 : at - (at % 60_000);
      const counts = byMinute.get(minute) ?? { admitted: 0, refused: 0, other: 0 };
      if (status === 200) counts.admitted++;
      else if (status === 429) counts.refused++;
      else counts.other++;
      byMinute.set(minute, counts);
    },
  });
  const counts = drainLogCounts();
  near = {
    limit,
    rate,
    seconds: NEAR_SECONDS,
    p50: quantile(run.latenciesMs, 0.5),
    p99: quantile(run.latenciesMs, 0.99),
    statuses: run.statuses,
    minutes: [...byMinute]
      .sort(([a], [b]) => a - b)
      .map(([minute, c]) => ({ minute: new Date(minute).toISOString(), ...c })),
    authority_calls_per_request: counts.authority_calls / Math.max(1, counts.requests),
  };
}

// --- memory: 100,000 distinct keys ---------------------------------------------------------------
// Each of 100,000 distinct well-formed keys is sent once, far past every isolate cache's bound of
// 10,000 entries; the bare Worker gets the same requests, as the baseline for the runtime's own growth.
let memory = null;
if (process.env.BENCH_SKIP_MEMORY !== "1") {
  log("memory: 100,000 requests with distinct well-formed keys through the edge, each once");
  const distinct = Array.from({ length: 100_000 }, () => harness.generateKey("niq_live_"));
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  function send(base, key) {
    return new Promise((resolveSend, rejectSend) => {
      const req = request(`${base}${PATH}`, { agent, headers: { "X-NearIQ-Key": key } }, (res) => {
        res.resume();
        res.on("end", resolveSend);
      });
      req.on("error", rejectSend);
      req.end();
    });
  }
  /** Sends each key once, BENCH_CONNECTIONS at a time; returns the requests per second. */
  async function sendEach(base, keys) {
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < keys.length) await send(base, keys[next++]);
      }),
    );
    return keys.length / ((Date.now() - started) / 1000);
  }
  async function memoryRun(base, pid) {
    const before = rssMiB(pid);
    const rps = await sendEach(base, distinct);
    return { before, after: rssMiB(pid), rps };
  }
  memory = { edge: await memoryRun(EDGE.url, EDGE.pid) };
  drainLogCounts();
  log("memory: the same 100,000 requests through the bare Worker, as the baseline");
  memory.bare = await memoryRun(BARE.url, BARE.pid);
  agent.destroy();
}

await edge.dispose();
await strict.dispose();
await noUsage.dispose();
await bare.dispose();
await floor.dispose();
await refusalFloor.dispose();
origin.close();

// --- report ------------------------------------------------------------------------------------
const validRow = results.find((r) => r.scenario === "valid key");
const countsText = (counts) =>
  Object.entries(counts)
    .map(([status, count]) => `${status}: ${count}`)
    .join(", ");
const f = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");
const lines = [
  `Command: \`BENCH_SECONDS=${SECONDS} BENCH_CONNECTIONS=${CONNECTIONS} BENCH_ROUNDS=${ROUNDS} npm run bench\` (wrk -t2 -c${CONNECTIONS}, ${ROUNDS}× ${SECONDS}s per target, alternating bare/edge; Miniflare from wrangler ${WRANGLER_VERSION}; signing ${ALG}; AUTH_LEASE_MS=2000 unless the scenario says 0)`,
  "",
  "The floor of a 200 scenario is the signing floor (bare + one assertion + one log line); of a 401 scenario, the refusal floor (a 401 problem+json at once + one log line).",
  "",
  "| scenario | bare req/s | floor req/s | edge req/s | edge/bare | edge/floor | bare p99 ms | floor p99 ms | edge p99 ms | edge p99 / bare p99 | workerd CPU ms/req bare → floor → edge | KV reads/req | authority calls/req | authority writes/req |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.scenario} | ${f(r.bare_rps, 0)} | ${f(r.floor_rps, 0)} | ${f(r.edge_rps, 0)} | ${f(r.ratio, 2)}× | ${f(r.floor_ratio, 2)}× | ${f(r.bare_p99, 2)} | ${f(r.floor_p99, 2)} | ${f(r.edge_p99, 2)} | ${f(r.edge_p99 / r.bare_p99, 2)}× | ${f(r.bare_cpu_ms, 3)} → ${f(r.floor_cpu_ms, 3)} → ${f(r.edge_cpu_ms, 3)} | ${f(r.kv_reads_per_request, 4)} | ${f(r.authority_calls_per_request, 4)} | ${f(r.authority_writes_per_request, 5)} |`,
  ),
  "",
  "Added latency at a fixed rate (valid key, limits on; latency from each request's scheduled time):",
  "",
  "| load | rate req/s | bare p50 / p99 ms | floor p50 / p99 ms | edge p50 / p99 ms | edge − bare p50 / p99 ms | edge − floor p50 / p99 ms |",
  "|---|---|---|---|---|---|---|",
  ...fixed.map(
    (x) =>
      `| ${Math.round(x.share * 100)} % of bare capacity | ${x.rate} | ${f(x.bare.p50, 2)} / ${f(x.bare.p99, 2)} | ${f(x.floor.p50, 2)} / ${f(x.floor.p99, 2)} | ${f(x.edge.p50, 2)} / ${f(x.edge.p99, 2)} | ${f(x.edge.p50 - x.bare.p50, 2)} / ${f(x.edge.p99 - x.bare.p99, 2)} | ${f(x.edge.p50 - x.floor.p50, 2)} / ${f(x.edge.p99 - x.floor.p99, 2)} |`,
  ),
  "",
  "Refusals at a fixed rate (25 % of bare capacity; the bare Worker forwards the same requests, so it answers 200; the refusal floor answers 401 at once; latency from each request's scheduled time):",
  "",
  "| scenario | rate req/s | bare p50 / p99 ms | refusal floor p50 / p99 ms | edge p50 / p99 ms | edge p99 / bare p99 | edge p99 / floor p99 | edge answers by status |",
  "|---|---|---|---|---|---|---|---|",
  ...refusalsFixed.map(
    (x) =>
      `| ${x.scenario} | ${x.rate} | ${f(x.bare.p50, 2)} / ${f(x.bare.p99, 2)} | ${f(x.floor.p50, 2)} / ${f(x.floor.p99, 2)} | ${f(x.edge.p50, 2)} / ${f(x.edge.p99, 2)} | ${f(x.edge.p99 / x.bare.p99, 2)}× | ${f(x.edge.p99 / x.floor.p99, 2)}× | ${countsText(x.edge.statuses)} |`,
  ),
  "",
  near
    ? `Near the limit: ${near.rate.toFixed(1)} req/s (2× ${near.limit} per minute) for ${near.seconds} s, one key: per UTC minute admitted / 429: ${near.minutes.map((m) => `${m.minute.slice(11, 16)} ${m.admitted}/${m.refused}${m.other ? ` (+${m.other} other)` : ""}`).join(", ")}; authority calls per request ${f(near.authority_calls_per_request, 4)}; p50 ${f(near.p50, 2)} ms, p99 ${f(near.p99, 2)} ms.`
    : "Near the limit: skipped.",
  "",
  "Answers by status (edge, every run of the scenario); any status other than the scenario's own fails the run:",
  "",
  "| scenario | expected | edge answers by status | unexpected (edge) | unexpected (bare, ≠ 200) |",
  "|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.scenario} | ${r.expected} | ${countsText(r.statuses)} | ${countsText(r.unexpected.edge) || "0"} | ${countsText(r.unexpected.bare) || "0"} |`,
  ),
  "",
  `Auth CPU per request (valid key on a leased key, no I/O in the decision): ${f((validRow?.edge_cpu_ms ?? Number.NaN) - (validRow?.bare_cpu_ms ?? Number.NaN), 3)} ms of workerd CPU more than the bare Worker (hash, policy, assertion signing, header hygiene, the log line).`,
  memory === null
    ? "Memory: skipped."
    : `Memory (RSS of each workerd process; the edge's also holds the local KV and Durable Object), 100,000 requests with distinct well-formed keys, each once: edge ${f(memory.edge.before, 0)} → ${f(memory.edge.after, 0)} MiB (+${f(memory.edge.after - memory.edge.before, 0)}, ${f(memory.edge.rps, 0)} req/s); bare Worker, same requests, ${f(memory.bare.before, 0)} → ${f(memory.bare.after, 0)} MiB (+${f(memory.bare.after - memory.bare.before, 0)}, ${f(memory.bare.rps, 0)} req/s). Every isolate cache of the edge is bounded at 10,000 entries.`,
];
const report = lines.join("\n");
const failures = results.filter((r) => countsText(r.unexpected.edge) || countsText(r.unexpected.bare));
const fixedFailures = fixed.filter((x) =>
  ["bare", "floor", "edge"].some((n) => Object.keys(x[n].statuses).some((st) => st !== "200")),
);
const refusalFailures = refusalsFixed.filter(
  (x) =>
    Object.keys(x.bare.statuses).some((st) => st !== "200") ||
    Object.keys(x.floor.statuses).some((st) => st !== "401") ||
    Object.keys(x.edge.statuses).some((st) => st !== "401"),
);
const nearFailures =
  near &&
  (Object.keys(near.statuses).some((st) => st !== "200" && st !== "429") ||
    near.minutes.some((m) => m.admitted > near.limit));
writeFileSync(join(OUT, "results.md"), `${report}\n`);
writeFileSync(
  join(OUT, "results.json"),
  `${JSON.stringify({ results, fixed, refusalsFixed, near, memory, alg: ALG }, null, 2)}\n`,
);
console.log(report);
if (failures.length > 0 || fixedFailures.length > 0 || refusalFailures.length > 0 || nearFailures) {
  console.error(
    `bench: FAILED: unexpected statuses in ${[...failures.map((r) => `"${r.scenario}"`), ...fixedFailures.map((x) => `fixed rate ${x.rate}`), ...refusalFailures.map((x) => `"${x.scenario}" at a fixed rate`), ...(nearFailures ? ["near the limit (or a minute over its limit)"] : [])].join(", ")}`,
  );
  process.exitCode = 1;
}

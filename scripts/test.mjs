/**
 * `npm test`: vitest (unit, workerd, end-to-end), with the expected noise of a green run filtered
 * out of its output: workerd's own log of the connections the tests close on purpose (an origin
 * that is down, a stalled body given up), printed as stacks although nothing failed. Only those
 * exact lines are dropped, and how many is said at the end; every other line, every failure and
 * vitest's exit code pass through unchanged. Arguments are vitest's (`npm test -- --project unit`).
 *
 * A run that prints nothing for STALL_MS has stalled: the workers vitest pool can stop between two
 * test files with no error and no end (github.com/cloudflare/workers-sdk/issues/15498). The run is
 * then stopped, with every process it started, and started again once, saying so. A failing test is
 * never run again: only a run that went silent.
 */
import { execFileSync, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** Lines workerd writes for connections closed on purpose, never a test's own output. */
const EXPECTED_NOISE = [
  /disconnected: Connection refused \(os error 111\)/,
  /disconnected: read end of pipe was aborted$/,
  /Network connection lost\.$/,
  /^stack: \S*workerd-linux-64\/bin\/workerd@/,
  /^Using secrets defined in \.dev\.vars/,
];

/** The longest silence of a green run here is under a minute (the quickstart's file): three times that and more is a stall. */
const STALL_MS = 180_000;
const ATTEMPTS = 2;

// The package exports no path to its CLI; its bin lives beside the package.json.
const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal colour codes is the point.
const COLOUR = /\u001b\[[0-9;]*m/g;
const strip = (line) => line.replace(COLOUR, "");

/** Every process below `pid` (the end-to-end tests start theirs in groups of their own). */
function descendantsOf(pid) {
  const children = new Map();
  for (const row of execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" }).trim().split("\n")) {
    const [child, parent] = row.trim().split(/\s+/).map(Number);
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const next = children.get(queue.shift()) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

/** Runs vitest once: its exit code, or `"stalled"` when it printed nothing for STALL_MS. */
function run() {
  const child = spawn(process.execPath, [vitest, "run", ...process.argv.slice(2)], {
    stdio: ["inherit", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? "1" : "0") },
  });
  let filtered = 0;
  let lastLine = Date.now();
  for (const [from, to] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
      lastLine = Date.now();
      if (EXPECTED_NOISE.some((pattern) => pattern.test(strip(line)))) filtered++;
      else to.write(`${line}\n`);
    });
  }
  const stop = (signal) => child.kill(signal);
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, stop);
  let stalled = false;
  const watchdog = setInterval(() => {
    if (Date.now() - lastLine < STALL_MS) return;
    stalled = true;
    clearInterval(watchdog);
    for (const pid of [...descendantsOf(child.pid), child.pid]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }, 5_000);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      clearInterval(watchdog);
      for (const signal of ["SIGINT", "SIGTERM"]) process.off(signal, stop);
      if (filtered > 0) {
        process.stdout.write(
          `(${filtered} lines of workerd's log of connections the tests close on purpose left out)\n`,
        );
      }
      resolve(stalled ? "stalled" : (code ?? (signal ? 1 : 0)));
    });
  });
}

for (let attempt = 1; ; attempt++) {
  const result = await run();
  if (result !== "stalled") process.exit(result);
  process.stderr.write(`\nnpm test: vitest printed nothing for ${STALL_MS / 1000} s and was stopped (a stalled run). `);
  if (attempt >= ATTEMPTS) {
    process.stderr.write("It stalled again: failing.\n");
    process.exit(1);
  }
  process.stderr.write("Running the whole suite once more.\n\n");
}

/**
 * `npm test`: vitest (unit, workerd, end-to-end), with the expected noise of a green run filtered
 * out of its output: workerd's own log of the connections the tests close on purpose (an origin
 * that is down, a stalled body given up), printed as stacks although nothing failed. Only those
 * exact lines are dropped, and how many is said at the end; every other line, every failure and
 * vitest's exit code pass through unchanged. Arguments are vitest's (`npm test -- --project unit`).
 */
import { spawn } from "node:child_process";
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

// The package exports no path to its CLI; its bin lives beside the package.json.
const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
const child = spawn(process.execPath, [vitest, "run", ...process.argv.slice(2)], {
  stdio: ["inherit", "pipe", "pipe"],
  env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? "1" : "0") },
});
let filtered = 0;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal colour codes is the point.
const COLOUR = /\u001b\[[0-9;]*m/g;
const strip = (line) => line.replace(COLOUR, "");
for (const [from, to] of [
  [child.stdout, process.stdout],
  [child.stderr, process.stderr],
]) {
  createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
    if (EXPECTED_NOISE.some((pattern) => pattern.test(strip(line)))) filtered++;
    else to.write(`${line}\n`);
  });
}
child.on("close", (code, signal) => {
  if (filtered > 0) {
    process.stdout.write(`(${filtered} lines of workerd's log of connections the tests close on purpose left out)\n`);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));

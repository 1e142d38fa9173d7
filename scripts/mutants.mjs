/**
 * `npm run test:mutants`: seeds realistic bugs into the auth rules, one at a time, runs the tests
 * that guard each rule, and reports which bugs the tests caught (killed) and which slipped through
 * (survived). Every non-equivalent mutant must be killed; the source is restored after each run,
 * even on Ctrl-C.
 *
 *   MUTANTS_ONLY=text   run only the mutants whose name contains `text`
 *
 * The list lives in test/mutants/mutants.mjs: each mutant names one documented rule, the
 * exact text it changes (which must occur exactly once), and the test files that should catch it.
 */
import { execFileSync, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MUTANTS } from "../test/mutants/mutants.mjs";

const only = process.env.MUTANTS_ONLY;
const fast = process.argv.includes("--fast");
const isFast = (m) => m.fast === true || m.tests.every((t) => t.startsWith("test/unit/") || t.startsWith("packages/"));
const selected = MUTANTS.filter((m) => (!only || m.name.includes(only)) && (!fast || isFast(m)));

/** Every tracked source file: where a mutant's text is looked for when it has moved. */
const sources = execFileSync("git", ["ls-files", "src", "examples", "packages/*/src", "scripts"], { encoding: "utf8" })
  .split("\n")
  .filter((f) => /\.(ts|mjs|js)$/.test(f));

const MUTANT_TIMEOUT_MS = 240_000;

const occurrences = (file, text) => readFileSync(file, "utf8").split(text).length - 1;

/** The file where the mutant's text occurs exactly once: its own, or where the code moved to; `null` when none. */
function locate(mutant) {
  if (occurrences(mutant.file, mutant.from) === 1) return mutant.file;
  const found = sources.filter((f) => occurrences(f, mutant.from) > 0);
  return found.length === 1 && occurrences(found[0], mutant.from) === 1 ? found[0] : null;
}
let restore = null;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    restore?.();
    process.exit(130);
  });
}

function apply(mutant) {
  const original = readFileSync(mutant.file, "utf8");
  restore = () => {
    writeFileSync(mutant.file, original);
    restore = null;
  };
  writeFileSync(mutant.file, original.replace(mutant.from, mutant.to));
}

function projectsOf(files) {
  const projects = new Set();
  for (const file of files) {
    if (file.startsWith("test/unit/")) projects.add("unit");
    else if (file.startsWith("test/e2e/")) projects.add("e2e");
    else projects.add("worker");
  }
  return [...projects].flatMap((p) => ["--project", p]);
}

// Every mutant's text must be found, once, before anything is changed.
const lost = [];
for (const mutant of selected) {
  const file = locate(mutant);
  if (file === null) lost.push(mutant.name);
  else {
    if (file !== mutant.file)
      process.stderr.write(`moved: "${mutant.name}" is now in ${file} (update test/mutants/mutants.mjs)\n`);
    mutant.file = file;
  }
}
if (lost.length > 0) {
  console.error(`These mutants no longer apply (their text is nowhere, or in several places):\n- ${lost.join("\n- ")}`);
  console.log(
    `0 killed, ${lost.length} survived, 0 equivalent, of ${selected.length} mutants: the list is out of date.`,
  );
  process.exit(1);
}

// Each run's vitest output, to read when a mutant is stopped for taking too long.
const logs = mkdtempSync(join(tmpdir(), "neariq-mutants-"));
const results = [];
const started = Date.now();
for (const [i, mutant] of selected.entries()) {
  apply(mutant);
  const t0 = Date.now();
  const log = join(logs, `${i + 1}.log`);
  const out = openSync(log, "w");
  let timedOut = false;
  // Run asynchronously, so that Ctrl-C reaches the handler above and the source is restored.
  const status = await new Promise((resolve) => {
    const child = spawn("npx", ["vitest", "run", ...projectsOf(mutant.tests), ...mutant.tests, "--bail=1"], {
      stdio: ["ignore", out, out],
      // NEARIQ_MUTANT_RUN: failing properties stop at their first counterexample (test/support/mutant-run.ts).
      env: { ...process.env, CI: "true", NEARIQ_MUTANT_RUN: "1" },
      detached: true,
    });
    // A mutant that makes a test hang (an endless loop) is caught too: stopped after 4 minutes.
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid ?? 0), "SIGKILL");
      } catch {}
    }, MUTANT_TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
  closeSync(out);
  restore();
  const killed = status !== 0;
  const outcome = killed ? "killed" : mutant.equivalent ? "equivalent" : "SURVIVED";
  const seconds = Math.round((Date.now() - t0) / 1000);
  results.push({ ...mutant, outcome, seconds });
  const how = timedOut ? `stopped after ${MUTANT_TIMEOUT_MS / 1000} s, output in ${log}` : `${seconds} s`;
  process.stderr.write(`[${i + 1}/${selected.length}] ${outcome.padEnd(10)} ${mutant.name} (${how})\n`);
}

const count = (o) => results.filter((r) => r.outcome === o).length;
const lines = [
  "| mutant | rule | outcome |",
  "|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.rule} | ${r.outcome}${r.equivalent && r.outcome !== "killed" ? ` (${r.equivalent})` : ""} |`,
  ),
  "",
  `${count("killed")} killed, ${count("SURVIVED")} survived, ${count("equivalent")} equivalent, of ${results.length} mutants, in ${Math.round((Date.now() - started) / 1000)} s.`,
];
console.log(lines.join("\n"));
if (count("SURVIVED") > 0) process.exitCode = 1;

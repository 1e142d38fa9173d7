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
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { MUTANTS } from "../test/mutants/mutants.mjs";

const only = process.env.MUTANTS_ONLY;
const selected = only ? MUTANTS.filter((m) => m.name.includes(only)) : MUTANTS;
let restore = null;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    restore?.();
    process.exit(130);
  });
}

function apply(mutant) {
  const original = readFileSync(mutant.file, "utf8");
  const count = original.split(mutant.from).length - 1;
  if (count !== 1) throw new Error(`${mutant.name}: expected the text once in ${mutant.file}, found it ${count} times`);
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

// Every mutant's text must be where it says, before anything is changed.
for (const mutant of selected) {
  const count = readFileSync(mutant.file, "utf8").split(mutant.from).length - 1;
  if (count !== 1) throw new Error(`${mutant.name}: expected the text once in ${mutant.file}, found it ${count} times`);
}

const results = [];
const started = Date.now();
for (const [i, mutant] of selected.entries()) {
  apply(mutant);
  const t0 = Date.now();
  // Run asynchronously, so that Ctrl-C reaches the handler above and the source is restored.
  const status = await new Promise((resolve) => {
    const child = spawn("npx", ["vitest", "run", ...projectsOf(mutant.tests), ...mutant.tests, "--bail=1"], {
      stdio: "ignore",
      env: { ...process.env, CI: "true" },
    });
    child.on("exit", (code) => resolve(code));
  });
  restore();
  const killed = status !== 0;
  const outcome = killed ? "killed" : mutant.equivalent ? "equivalent" : "SURVIVED";
  results.push({ ...mutant, outcome, seconds: Math.round((Date.now() - t0) / 1000) });
  process.stderr.write(`[${i + 1}/${selected.length}] ${outcome.padEnd(10)} ${mutant.name}\n`);
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

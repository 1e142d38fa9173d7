/**
 * The key CLI as a person meets it, run as a process: unknown commands and options named with a
 * "did you mean", extra arguments refused, flags checked in the CLI's own terms, exit codes a script
 * can use, and the README's export line creating no file. No edge is needed for any of these.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");

async function keys(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, "scripts/keys.mjs"), ...args], {
      cwd: mkdtempSync(join(tmpdir(), "cli-")), // no .dev.vars here
      env: { ...process.env, NEARIQ_ADMIN_TOKEN: "", NEARIQ_EDGE_URL: "http://127.0.0.1:9" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("the key CLI", () => {
  it("an unknown command: exit 2, named, with a did-you-mean", async () => {
    const r = await keys("crete", "acme");
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("Unknown command crete. Did you mean create?");
  });

  it("an unknown option: exit 2, named, with a did-you-mean, no parser quote", async () => {
    const r = await keys("plan", "acme", "pro", "--per-minut", "5");
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("Unknown option --per-minut. Did you mean --per-minute?");
  });

  it("an extra argument is refused, never silently dropped (create acme mykey)", async () => {
    const r = await keys("create", "acme", "mykey");
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(
      "create takes 1 argument; mykey is one too many (to name the key, use --name mykey).",
    );
  });

  it("an option of another command is refused", async () => {
    const r = await keys("list", "acme", "--grace", "5");
    expect([r.code, r.stderr.split("\n")[0]]).toEqual([2, "list has no option --grace."]);
  });

  it("flags are checked in the CLI's own terms, before any call", async () => {
    for (const [args, message] of [
      [
        ["plan", "acme", "pro", "--per-minute", "5.5"],
        '--per-minute takes a whole number from 1 to 1,000,000,000 or none, not "5.5".',
      ],
      [["roll", "acme", "key_1", "--grace", "1h"], '--grace takes a whole number from 0 to 604,800, not "1h".'],
      [
        ["create", "acme", "--expires-at", "tomorrow"],
        '--expires-at takes a date and time with a zone, e.g. 2027-03-01T00:00:00Z, not "tomorrow".',
      ],
      [["create", "acme", "--rate-limit", "0"], '--rate-limit takes a whole number from 1 to 1,000,000,000, not "0".'],
      [["usage", "acme", "--granularity", "week"], "--granularity takes hour or day."],
    ] as const) {
      const r = await keys(...args);
      expect([r.code, r.stderr.trim()], args.join(" ")).toEqual([2, message]);
    }
  });

  it("a URL without a scheme is named as such, not reported as unreachable", async () => {
    const r = await keys("list", "acme", "--url", "127.0.0.1:8787");
    expect([r.code, r.stderr.trim()]).toEqual([
      2,
      "--url must be a URL starting with http:// or https://, e.g. http://127.0.0.1:8787.",
    ]);
  });

  it("no admin token anywhere: exit 4, saying where one comes from", async () => {
    const r = await keys("list", "acme");
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("No admin token: pass --token, set NEARIQ_ADMIN_TOKEN");
  });

  it("an edge that is not there: exit 3, naming the URL and where it came from", async () => {
    const r = await keys("list", "acme", "--token", "x".repeat(40));
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      "The edge is not reachable at http://127.0.0.1:9 (from NEARIQ_EDGE_URL). Is `npm run dev` running?",
    );
  });

  it("help lists every command on standard output, exit 0", async () => {
    const r = await keys("help");
    expect(r.code).toBe(0);
    for (const command of ["plan", "create", "roll", "list", "revoke", "usage", "events", "close"]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
  });

  it("the README's export line (npm run -s keys … --export) creates no file, even when the edge refuses", async () => {
    const dir = mkdtempSync(join(tmpdir(), "export-"));
    await run(
      "bash",
      [
        "-c",
        `cd "${dir}" && eval "$(npm --prefix "${ROOT}" run -s keys -- create acme --name quickstart --export)"; true`,
      ],
      { env: { ...process.env, NEARIQ_EDGE_URL: "http://127.0.0.1:9", NEARIQ_ADMIN_TOKEN: "x".repeat(40) } },
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

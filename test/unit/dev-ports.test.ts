/**
 * `npm run dev` when a port is taken (another `npm run dev` running, say): it names the port and
 * what it is for, says the stack may already be running, and exits 1, starting nothing.
 */
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");

describe("npm run dev with a port taken", () => {
  it("names the port and exits 1", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(48787, "127.0.0.1", r));
    try {
      const result = await run(process.execPath, ["scripts/dev.mjs"], {
        cwd: ROOT,
        env: {
          ...process.env,
          EDGE_PORT: "48787",
          ORIGIN_PORT: "48788",
          DASHBOARD_PORT: "48789",
          SANDBOX_PORT: "48790",
        },
      }).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("dev: port 48787 (the edge) is already taken: the stack may already be running");
    } finally {
      blocker.close();
    }
  });

  it("an unknown option: exit 2", async () => {
    const result = await run(process.execPath, ["scripts/dev.mjs", "--edge-onyl"], { cwd: ROOT }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect([result.code, result.stderr.trim()]).toEqual([
      2,
      "dev: unknown option --edge-onyl (the only option is --edge-only)",
    ]);
  });
});

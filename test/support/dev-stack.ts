/**
 * The parts `npm run dev` starts, for end-to-end tests: `wrangler dev` (the edge), the example
 * origin and the dashboard, each its own process on ports of the test's choosing, with their
 * output kept (to search it for keys), and stopped together.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export class DevStack {
  readonly processes: ChildProcess[] = [];
  output = "";

  start(command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    const child = spawn(command, args, { detached: true, env: { ...process.env, ...env }, stdio: "pipe" });
    const keep = (d: Buffer) => {
      this.output += d.toString();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.processes.push(child);
    return child;
  }

  /** `wrangler dev` on `port`, with its own persistence folder and `vars`. */
  startEdge(port: number, inspectorPort: number, vars: Record<string, string>): ChildProcess {
    const persist = mkdtempSync(join(tmpdir(), "neariq-e2e-"));
    const varArgs = Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
    return this.start("npx", [
      "wrangler",
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      persist,
      "--show-interactive-dev-session=false",
      ...varArgs,
    ]);
  }

  async waitFor(url: string, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(url)).status < 500) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${url} did not come up:\n${this.output.slice(-3000)}`);
  }

  stop(): void {
    for (const child of this.processes) {
      try {
        if (child.pid) process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
}

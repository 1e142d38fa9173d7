/**
 * Every console line the Worker writes during the test run goes to one file (and not to the
 * terminal), so that the leak check can read all of it at the end.
 */
import { appendFileSync, mkdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";

export const CONSOLE_FILE = resolve(import.meta.dirname, "../../.test-logs/worker-console.log");

export function resetConsoleCapture(): void {
  rmSync(CONSOLE_FILE, { force: true });
  mkdirSync(resolve(CONSOLE_FILE, ".."), { recursive: true });
}

/** vitest's `onConsoleLog`: keep the line in the file, hide it from the terminal. */
export function captureConsoleLine(line: string): false {
  appendFileSync(CONSOLE_FILE, line.endsWith("\n") ? line : `${line}\n`);
  return false;
}

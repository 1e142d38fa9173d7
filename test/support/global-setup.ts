/**
 * Starts the test origin for the workerd tests, and at the end of the run checks the whole suite
 * for leaks: no key the tests created may appear in any console line of the Worker, nor in any
 * URL or header the origin received, as it is or percent-encoded in any way; and every admin
 * answer the tests received must match docs/openapi.json.
 */
import { readFileSync } from "node:fs";
import { CONSOLE_FILE, resetConsoleCapture } from "./console-capture";
import { adminAnswersAgainstDocument } from "./openapi-check";
import { startTestOrigin } from "./test-origin";

/** Every valid `%XX` decoded, the rest left as it is: finds a key however it was percent-encoded. */
function percentDecoded(text: string): string {
  return text.replace(/%[0-9A-Fa-f]{2}/g, (hex) => String.fromCharCode(Number.parseInt(hex.slice(1), 16)));
}

function leaksIn(text: string, keys: Set<string>): string[] {
  const decoded = percentDecoded(text);
  return [...keys]
    .filter((key) => key && (text.includes(key) || decoded.includes(key)))
    .map((key) => `${key.slice(0, 12)}…`);
}

export default async function setup() {
  resetConsoleCapture();
  const origin = await startTestOrigin();
  return async () => {
    await new Promise<void>((resolve) => origin.server.close(() => resolve()));
    await new Promise<void>((resolve) => origin.sandbox.close(() => resolve()));
    let consoleText = "";
    try {
      consoleText = readFileSync(CONSOLE_FILE, "utf8");
    } catch {
      // No console line at all: nothing can have leaked there.
    }
    if (origin.createdKeys.size === 0) {
      process.exitCode = 1;
      throw new Error("leak check: the tests registered no created key");
    }
    const inLogs = leaksIn(consoleText, origin.createdKeys);
    const inOrigin = leaksIn(JSON.stringify(origin.received), origin.createdKeys);
    if (inLogs.length > 0 || inOrigin.length > 0) {
      // vitest reports an error thrown here but still exits 0: set the exit code ourselves.
      process.exitCode = 1;
      throw new Error(`leak check: keys in console lines: ${inLogs.join(", ")}; at the origin: ${inOrigin.join(", ")}`);
    }
    const { checked, failures } = adminAnswersAgainstDocument(origin.adminAnswers);
    if (checked === 0 || failures.length > 0) {
      process.exitCode = 1;
      throw new Error(`openapi check: ${checked} admin answers checked; ${failures.slice(0, 20).join("\n")}`);
    }
    console.log(`openapi check: ${checked} admin answers match docs/openapi.json`);
    console.log(
      `leak check: ${origin.createdKeys.size} keys, ${consoleText.split("\n").length - 1} console lines, ${origin.received.length} origin requests, no key found`,
    );
  };
}

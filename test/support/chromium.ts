/**
 * Debian's Chromium for the browser test (Playwright cannot download its own browsers here):
 * installed with apt-get when it is missing, so that `npm test` is all a newcomer runs.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  try {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore" });
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "ignore" });
  } catch {
    throw new Error(
      `Chromium is missing at ${CHROMIUM} and could not be installed: run "apt-get install chromium" as root.`,
    );
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but not at ${CHROMIUM}`);
  return CHROMIUM;
}

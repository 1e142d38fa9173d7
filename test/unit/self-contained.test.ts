/**
 * The repository stands on its own: its reference is docs/, so no file cites a specification kept
 * elsewhere (a bare "§n" included: only RFC and X.690 sections are cited that way), an issue
 * tracker, or a folder outside the repository.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url);
const THIS_FILE = "test/unit/self-contained.test.ts";

describe("the repository", () => {
  it("cites only its own docs: no outside spec, no issue, no path outside the repository", () => {
    const files = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" })
      .split("\n")
      .filter((f) => f && f !== THIS_FILE && !/\.(png|jpg|lock)$/.test(f) && f !== "package-lock.json");
    const offending: string[] = [];
    for (const file of files) {
      const text = readFileSync(new URL(file, ROOT), "utf8");
      for (const pattern of [/CONTRACT/, /\(issue:/, /\.\.\/shared\//, /(?<!(RFC \d{4}|X\.690) )§\d/]) {
        if (pattern.test(text)) offending.push(`${file}: ${pattern}`);
      }
    }
    expect(offending).toEqual([]);
  });
});

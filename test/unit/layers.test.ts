/**
 * No import runs up: every module of `src/` imports only from its own folder or from those below it,
 * in the order of the README's module map (the map is the spec; a folder it does not name fails).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The README's module map, bottom up: `src/domain/`, …, `src/index.ts`. */
function layersFromReadme(): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("Module map, bottom up");
  const section = readme.slice(start, readme.indexOf("\n\n", start));
  return [...section.matchAll(/`(src\/[a-z-]+(?:\/|\.ts))`/g)].map((m) => m[1] as string);
}

function sourceFiles(): string[] {
  return readdirSync(join(ROOT, "src"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => `src/${f}`);
}

/** The layer a file belongs to: its folder (`src/auth/`), or itself when it sits in `src/`. */
function layerOf(file: string): string {
  const parts = file.split("/");
  return parts.length > 2 ? `src/${parts[1]}/` : file;
}

function relativeImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) =>
    normalize(join(dirname(file), m[1] as string)).concat(".ts"),
  );
}

describe("the module map", () => {
  const layers = layersFromReadme();
  const files = sourceFiles();

  it("names every folder and top-level file of src/, once each", () => {
    expect(layers.length).toBeGreaterThanOrEqual(10);
    expect(new Set(layers).size).toBe(layers.length);
    expect([...new Set(files.map(layerOf))].filter((layer) => !layers.includes(layer))).toEqual([]);
  });

  it("has no import that runs up", () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = layers.indexOf(layerOf(file));
      for (const target of relativeImports(file)) {
        const to = layers.indexOf(layerOf(target));
        if (to > from) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });
});

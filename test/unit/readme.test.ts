import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { limitsTable, routesTable, scopesTable, withSection } from "../support/policy-markdown";

const README = new URL("../../README.md", import.meta.url);

describe("README", () => {
  it("shows the scopes, plans, limits and routes exactly as src/auth/policy.ts defines them", () => {
    const current = readFileSync(README, "utf8");
    const expected = withSection(
      withSection(withSection(current, "scopes", scopesTable()), "limits", limitsTable()),
      "routes",
      routesTable(),
    );
    // UPDATE_README=1 npx vitest run --project unit test/unit/readme.test.ts regenerates the tables.
    if (process.env.UPDATE_README === "1") writeFileSync(README, expected);
    expect(current).toBe(expected);
  });

  it("keeps the quickstart's commands", () => {
    const text = readFileSync(README, "utf8");
    for (const command of ["npm install", "npm run dev", "npm test"]) expect(text).toContain(command);
  });
});

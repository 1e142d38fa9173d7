import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { limitsTable, routesTable, scopesTable, withSection } from "../support/policy-markdown";

const POLICY_DOC = new URL("../../docs/policy.md", import.meta.url);
const README = new URL("../../README.md", import.meta.url);

describe("docs/policy.md", () => {
  it("shows the scopes, plans, limits and routes exactly as the domain module defines them", () => {
    const current = readFileSync(POLICY_DOC, "utf8");
    const expected = withSection(
      withSection(withSection(current, "scopes", scopesTable()), "limits", limitsTable()),
      "routes",
      routesTable(),
    );
    // UPDATE_DOCS=1 npx vitest run --project unit test/unit/docs-tables.test.ts regenerates the tables.
    if (process.env.UPDATE_DOCS === "1") writeFileSync(POLICY_DOC, expected);
    expect(current).toBe(expected);
  });
});

describe("README", () => {
  it("keeps the quickstart's commands and stays a front door (at most 250 lines)", () => {
    const text = readFileSync(README, "utf8");
    for (const command of ["npm install", "npm run dev", "npm test"]) expect(text).toContain(command);
    expect(text.split("\n").length).toBeLessThanOrEqual(250);
  });
});

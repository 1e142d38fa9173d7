/**
 * The OpenAPI document (docs/api.md): made from the schemas that validate, written to
 * docs/openapi.json (`npm run openapi`), and linted by a real OpenAPI validator. The workerd tests
 * check that the edge serves this same document and that every admin answer matches it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import openapiTS, { astToString } from "openapi-typescript";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/admin/openapi";

const FILE = new URL("../../docs/openapi.json", import.meta.url);

describe("docs/openapi.json", () => {
  it("is the document the schemas make (UPDATE_OPENAPI=1 rewrites it)", () => {
    const expected = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
    if (process.env.UPDATE_OPENAPI === "1") writeFileSync(FILE, expected);
    expect(readFileSync(FILE, "utf8")).toBe(expected);
  });

  it("has its TypeScript types in docs/openapi.d.ts (openapi-typescript), which the CLI and the dashboard's client use", async () => {
    const types = new URL("../../docs/openapi.d.ts", import.meta.url);
    const header = "// Generated from docs/openapi.json by openapi-typescript (npm run openapi). Do not edit.\n";
    const expected = header + astToString(await openapiTS(JSON.parse(readFileSync(FILE, "utf8"))));
    if (process.env.UPDATE_OPENAPI === "1") writeFileSync(types, expected);
    expect(readFileSync(types, "utf8")).toBe(expected);
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const doc = JSON.parse(readFileSync(FILE, "utf8"));
    expect(doc.openapi).toBe("3.1.0");
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it("describes every admin call, the leak reports, /v1/api-keys/current and the /v1 errors", () => {
    const doc = openApiDocument();
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => k !== "parameters")
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        "PUT /_admin/accounts/{account_id}",
        "GET /_admin/accounts/{account_id}",
        "DELETE /_admin/accounts/{account_id}",
        "GET /_admin/accounts/{account_id}/usage",
        "GET /_admin/accounts/{account_id}/events",
        "POST /_admin/accounts/{account_id}/keys",
        "GET /_admin/accounts/{account_id}/keys",
        "DELETE /_admin/accounts/{account_id}/keys/{key_id}",
        "POST /_admin/accounts/{account_id}/keys/{key_id}/roll",
        "GET /_admin/openapi.json",
        "POST /_partners/github/secret-scanning",
        "GET /v1/api-keys/current",
        "GET /v1/{route}",
      ].sort(),
    );
    expect(Object.keys(doc.paths["/v1/{route}"].get.responses).sort()).toEqual(
      ["200", "400", "401", "403", "404", "429", "502", "503", "504"].sort(),
    );
  });
});

/**
 * Checks admin answers against docs/openapi.json: each must be a documented status of its
 * operation, with a body that validates against the documented schema (JSON Schema 2020-12, Ajv).
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { AdminAnswer } from "./test-origin.ts";

type Doc = {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
  components: unknown;
};

export function adminAnswersAgainstDocument(answers: AdminAnswer[]): { checked: number; failures: string[] } {
  const doc = JSON.parse(readFileSync(new URL("../../docs/openapi.json", import.meta.url), "utf8")) as Doc;
  // Times in answers are RFC 3339 in UTC ("Z"), as docs/api.md says.
  const ajv = new Ajv2020({
    strict: false,
    allErrors: false,
    formats: { "date-time": /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/ },
  });
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+").replace(/\./g, "\\.")}$`),
  }));
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  const failures: string[] = [];
  let checked = 0;
  for (const answer of answers) {
    const where = `${answer.method} ${answer.path} → ${answer.status}`;
    const matches = templates.filter((t) => t.pattern.test(answer.path));
    // An answer to a path the API does not have (unknown_route) is the error model's, not an operation's.
    const match = matches.find((t) => doc.paths[t.template]?.[answer.method.toLowerCase()]);
    if (!match) {
      if (answer.status !== 404 && answer.status !== 401 && answer.status !== 403)
        failures.push(`${where}: no operation`);
      continue;
    }
    const responses = doc.paths[match.template]?.[answer.method.toLowerCase()]?.responses ?? {};
    const documented = responses[String(answer.status)];
    if (!documented) {
      failures.push(`${where}: status not documented`);
      continue;
    }
    const mediaType = (answer.contentType ?? "").split(";")[0]?.trim() ?? "";
    const schema = documented.content?.[mediaType]?.schema;
    if (!schema) {
      failures.push(`${where}: ${mediaType} not documented`);
      continue;
    }
    const id = `${match.template} ${answer.method} ${answer.status} ${mediaType}`;
    let validate = validators.get(id);
    if (!validate) {
      validate = ajv.compile({ ...(schema as object), components: doc.components });
      validators.set(id, validate);
    }
    checked++;
    if (!validate(JSON.parse(answer.body))) failures.push(`${where}: ${ajv.errorsText(validate.errors)}`);
  }
  return { checked, failures };
}

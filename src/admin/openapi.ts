/**
 * @module
 * The OpenAPI 3.1 document of the admin API, the leak-report endpoint, `/v1/api-keys/current`
 * and the `/v1` error model, made from the zod schemas that validate (`schemas.ts`). Served at
 * `GET /_admin/openapi.json`; `docs/openapi.json` is the same document, written by
 * `npm run openapi` and checked by a test.
 */
import { z } from "zod";
import { ACCOUNT_ID_PATTERN, DEFAULT_KEY_SCOPES, PLANS, SCOPES } from "../domain/policy";
import { apiSchemas } from "./schemas";

/** Bodies the edge reads: unknown fields are ignored, so they are described as the input they accept. */
const REQUEST_BODIES = new Set(["PlanBody", "NewKeyBody", "RollBody", "LeakReport"]);

function componentSchemas(): Record<string, unknown> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const as = (io: "input" | "output") =>
    z.toJSONSchema(apiSchemas, { io, target: "draft-2020-12", uri, unrepresentable: "any" }).schemas;
  const input = as("input");
  const output = as("output");
  const schemas: Record<string, unknown> = {};
  for (const id of Object.keys(output).sort()) {
    const { $schema: _, ...schema } = (REQUEST_BODIES.has(id) ? input[id] : output[id]) as Record<string, unknown>;
    schemas[id] = schema;
  }
  return schemas;
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ "application/json": { schema: ref(id) } });
const problem = (description: string) => ({
  description,
  headers: { "X-NearIQ-Request-Id": { $ref: "#/components/headers/RequestId" } },
  content: { "application/problem+json": { schema: ref("Problem") } },
});
const ok = (description: string, id: string, status = "200") => ({
  [status]: {
    description,
    headers: { "X-NearIQ-Request-Id": { $ref: "#/components/headers/RequestId" } },
    content: json(id),
  },
});
const rateLimitHeaders = {
  RateLimit: { $ref: "#/components/headers/RateLimit" },
  "RateLimit-Policy": { $ref: "#/components/headers/RateLimitPolicy" },
  "X-NearIQ-Request-Id": { $ref: "#/components/headers/RequestId" },
};

const ADMIN_ERRORS = {
  "400": problem("invalid_account_id, invalid_request, invalid_scope (with invalid_scopes) or invalid_plan."),
  "401": problem("admin_unauthorized: a missing or wrong bearer token (WWW-Authenticate: Bearer)."),
  "403": problem("key_management_forbidden: the request carries X-NearIQ-Key."),
  "404": problem("unknown_route, unknown_account or unknown_key."),
  "413": problem("payload_too_large: a body over 65,536 bytes."),
  "503": problem("admin_disabled (ADMIN_TOKEN unset or short) or auth_unavailable (Retry-After)."),
};

const accountId = {
  name: "account_id",
  in: "path",
  required: true,
  schema: { type: "string", pattern: ACCOUNT_ID_PATTERN.source },
};
const keyId = { name: "key_id", in: "path", required: true, schema: { type: "string" } };
const actor = {
  name: "X-NearIQ-Actor",
  in: "header",
  required: false,
  description:
    "Who made the change, recorded as the events' actor (e.g. the dashboard user's e-mail): 1–200 characters in U+0020–U+007E.",
  schema: { type: "string", minLength: 1, maxLength: 200, pattern: "^[\\x20-\\x7e]{1,200}$" },
};
const query = (name: string, description: string, schema: Record<string, unknown>) => ({
  name,
  in: "query",
  required: false,
  description,
  schema,
});
const admin = { security: [{ adminToken: [] }] };

const V1_ERRORS = {
  "400": problem("key_in_url: a key in the query or the path."),
  "401": problem(
    'missing_key, invalid_key, revoked_key or expired_key (WWW-Authenticate: NearIQ-Key realm="NearIQ API").',
  ),
  "403": problem(
    "ip_not_allowed, key_management_forbidden, plan_required (required_scope, plan) or insufficient_scope (required_scope, granted_scopes).",
  ),
  "404": problem("unknown_route."),
  "429": {
    ...problem("rate_limited: policy, limit, retry_after; Retry-After and the RateLimit headers."),
    headers: { ...rateLimitHeaders, "Retry-After": { schema: { type: "integer", minimum: 1 } } },
  },
  "502": problem("origin_unavailable."),
  "503": problem(
    "misconfigured, auth_unavailable (Retry-After), or test_mode_unavailable (a test key, no sandbox origin).",
  ),
  "504": problem("origin_timeout."),
};

function buildDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "NearIQ Edge Auth",
      version: "2.0.0",
      description:
        "The edge in front of the NearIQ API: API keys, the admin API of the dashboard backend, leaked-key reports from GitHub. docs/api.md is the reference in words.",
    },
    servers: [{ url: "http://127.0.0.1:8787", description: "npm run dev" }],
    // The data behind the scope and plan checks, for clients that show them (Settings → API).
    "x-neariq-policy": { scopes: SCOPES, default_scopes: DEFAULT_KEY_SCOPES, plans: PLANS },
    components: {
      securitySchemes: {
        adminToken: { type: "http", scheme: "bearer", description: "ADMIN_TOKEN, for the dashboard backend only." },
        apiKey: { type: "apiKey", in: "header", name: "X-NearIQ-Key" },
        githubSignature: {
          type: "apiKey",
          in: "header",
          name: "Github-Public-Key-Signature",
          description:
            "Base64 DER ECDSA P-256/SHA-256 over the raw body, by the key Github-Public-Key-Identifier names.",
        },
      },
      headers: {
        RequestId: {
          description: "The edge's request id; equal to an error's request_id.",
          schema: { type: "string" },
        },
        RateLimit: { description: 'e.g. "minute";r=599;t=42, "day";r=99999;t=3600', schema: { type: "string" } },
        RateLimitPolicy: {
          description: 'e.g. "minute";q=600;w=60, "day";q=100000;w=86400',
          schema: { type: "string" },
        },
      },
      schemas: componentSchemas(),
    },
    paths: {
      "/_admin/accounts/{account_id}": {
        parameters: [accountId],
        put: {
          ...admin,
          parameters: [actor],
          operationId: "putAccount",
          summary: "Create an account or change its plan and limits",
          description: "Answers once no lease granted under the old plan or limits is current (up to AUTH_LEASE_MS).",
          requestBody: { required: true, content: json("PlanBody") },
          responses: { ...ok("The account with the limits in force.", "Account"), ...ADMIN_ERRORS },
        },
        get: {
          ...admin,
          operationId: "getAccount",
          summary: "An account's plan and the limits in force",
          responses: { ...ok("The account.", "Account"), ...ADMIN_ERRORS },
        },
        delete: {
          ...admin,
          parameters: [actor],
          operationId: "closeAccount",
          summary: "Close an account: every key refused at once, its data erased, account.closed delivered",
          description: "Answers once no lease on any of its keys is current (up to AUTH_LEASE_MS).",
          responses: { ...ok("The close.", "Closed"), ...ADMIN_ERRORS },
        },
      },
      "/_admin/accounts/{account_id}/usage": {
        parameters: [accountId],
        get: {
          ...admin,
          operationId: "getUsage",
          summary: "Requests each key admitted and refused, per UTC hour or day",
          parameters: [
            query("granularity", "hour (default) or day.", { type: "string", enum: ["hour", "day"] }),
            query("from", "RFC 3339, inclusive, rounded down to its bucket; default 24 hours or 30 days before to.", {
              type: "string",
              format: "date-time",
            }),
            query("to", "RFC 3339, exclusive, rounded down; default the start of the next bucket.", {
              type: "string",
              format: "date-time",
            }),
            query("key_id", "Only this key's counts.", { type: "string" }),
          ],
          responses: { ...ok("Every bucket of the range, the totals and the keys.", "Usage"), ...ADMIN_ERRORS },
        },
      },
      "/_admin/accounts/{account_id}/events": {
        parameters: [accountId],
        get: {
          ...admin,
          operationId: "listEvents",
          summary: "The account's events, oldest first",
          parameters: [
            query("after", "Only events after this event id.", { type: "string" }),
            query("limit", "1–100, default 50.", { type: "integer", minimum: 1, maximum: 100 }),
            query("type", "Only events of this type.", { type: "string" }),
          ],
          responses: {
            ...ok("A page of events; next is the last id when more may follow.", "EventPage"),
            ...ADMIN_ERRORS,
          },
        },
      },
      "/_admin/accounts/{account_id}/keys": {
        parameters: [accountId],
        post: {
          ...admin,
          parameters: [actor],
          operationId: "createKey",
          summary: "Create a key: the only time the key is shown",
          requestBody: { required: false, content: json("NewKeyBody") },
          responses: { ...ok("The new key.", "CreatedKey", "201"), ...ADMIN_ERRORS },
        },
        get: {
          ...admin,
          operationId: "listKeys",
          summary: "The account's keys, by hint: never a key or its hash",
          responses: { ...ok("The keys.", "KeyList"), ...ADMIN_ERRORS },
        },
      },
      "/_admin/accounts/{account_id}/keys/{key_id}": {
        parameters: [accountId, keyId],
        delete: {
          ...admin,
          parameters: [actor],
          operationId: "revokeKey",
          summary: "Revoke a key, strongly; revoking again answers the same revoked_at",
          responses: { ...ok("The revocation.", "Revoked"), ...ADMIN_ERRORS },
        },
      },
      "/_admin/accounts/{account_id}/keys/{key_id}/roll": {
        parameters: [accountId, keyId],
        post: {
          ...admin,
          parameters: [actor],
          operationId: "rollKey",
          summary: "Roll a key: a new key copying the old; the old one expires after the grace period",
          requestBody: { required: false, content: json("RollBody") },
          responses: {
            ...ok("The new key, and the old key's new expiry.", "RolledKey", "201"),
            ...ADMIN_ERRORS,
            "409": problem("key_rolled: the key has been rolled already; key_inactive: the key is revoked or expired."),
          },
        },
      },
      "/_admin/openapi.json": {
        get: {
          ...admin,
          operationId: "openapi",
          summary: "This document",
          responses: {
            "200": { description: "OpenAPI 3.1", content: { "application/json": { schema: { type: "object" } } } },
            ...ADMIN_ERRORS,
          },
        },
      },
      "/_partners/github/secret-scanning": {
        post: {
          security: [{ githubSignature: [] }],
          operationId: "reportLeakedKeys",
          summary: "GitHub secret-scanning partner alerts: revoke leaked keys",
          parameters: [
            { name: "Github-Public-Key-Identifier", in: "header", required: true, schema: { type: "string" } },
            { name: "Github-Public-Key-Signature", in: "header", required: true, schema: { type: "string" } },
          ],
          requestBody: { required: true, content: json("LeakReport") },
          responses: {
            ...ok("One entry per item, in order.", "LeakAnswer"),
            "400": problem("invalid_request: not an array of {token, type, url, source}."),
            "401": problem(
              "invalid_signature: missing headers, unknown key identifier, or a signature that does not verify.",
            ),
            "413": problem("payload_too_large: over 1 MiB or over 1,000 items."),
            "503": problem("auth_unavailable: GitHub's keys document cannot be had (Retry-After)."),
          },
        },
      },
      "/v1/api-keys/current": {
        get: {
          security: [{ apiKey: [] }],
          operationId: "currentKey",
          summary: "The calling key (scope usage:read), answered by the edge; Cache-Control: no-store",
          responses: {
            "200": { description: "The key.", headers: rateLimitHeaders, content: json("CurrentKey") },
            ...V1_ERRORS,
          },
        },
      },
      "/v1/{route}": {
        parameters: [
          {
            name: "route",
            in: "path",
            required: true,
            description:
              "Any route of the route table (docs/api.md, README); this entry describes what every one of them shares.",
            schema: { type: "string" },
          },
        ],
        get: {
          security: [{ apiKey: [] }],
          operationId: "v1",
          summary:
            "A /v1 request: forwarded to the origin once the key, the route, the plan, the scopes and the limits allow it",
          responses: {
            "200": {
              description: "The origin's answer, with the edge's X-NearIQ-Request-Id and RateLimit headers.",
              headers: rateLimitHeaders,
            },
            ...V1_ERRORS,
          },
        },
      },
    },
  };
}

let built: ReturnType<typeof buildDocument> | undefined;

/** The document (built once per isolate: a value, shared by every request). */
export function openApiDocument(): ReturnType<typeof buildDocument> {
  built ??= buildDocument();
  return built;
}

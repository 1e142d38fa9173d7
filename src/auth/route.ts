/**
 * @module
 * Matches a request's method and parsed path against the route table of {@link ROUTES}.
 */
import { ROUTES, type RouteRule } from "../domain/policy";

const ID = "{id}";
// An encoded slash or backslash inside `{id}` would let one segment pose as two at the origin.
const ENCODED_SEPARATOR = /%2f|%5c/i;

interface CompiledRoute {
  readonly rule: RouteRule;
  readonly segments: readonly string[];
}

const COMPILED: readonly CompiledRoute[] = ROUTES.map((rule) => ({
  rule,
  segments: rule.path.split("/"),
}));

function segmentMatches(pattern: string, segment: string): boolean {
  if (pattern === ID) return segment !== "" && !ENCODED_SEPARATOR.test(segment);
  return pattern === segment;
}

function methodAllowed(rule: RouteRule, method: string): boolean {
  return rule.methods.includes(method) || (method === "HEAD" && rule.methods.includes("GET"));
}

/**
 * The rule for `method` on `pathname` (as parsed: dot segments resolved, percent-encoding kept), if any.
 *
 * @example
 * matchRoute("HEAD", "/v1/competitors/c_1")?.scope // "competitors:read"
 */
export function matchRoute(method: string, pathname: string): RouteRule | undefined {
  const segments = pathname.split("/");
  for (const { rule, segments: pattern } of COMPILED) {
    if (pattern.length !== segments.length || !methodAllowed(rule, method)) continue;
    if (pattern.every((p, i) => segmentMatches(p, segments[i] ?? ""))) return rule;
  }
  return undefined;
}

/**
 * True for any method on `/v1/api-keys` or `/v1/api-keys/{id}`, except `GET`/`HEAD` on
 * `/v1/api-keys/current` (docs/api.md#the-decision-table row 6): API keys never manage API keys.
 */
export function isKeyManagement(method: string, pathname: string): boolean {
  const segments = pathname.split("/");
  if (segments[1] !== "v1" || segments[2] !== "api-keys") return false;
  if (segments.length === 3) return true;
  if (segments.length !== 4 || segments[3] === "") return false;
  return !(segments[3] === "current" && (method === "GET" || method === "HEAD"));
}

/**
 * @module
 * Header hygiene for the request to the origin (docs/api.md#for-origin-teams-what-the-origin-receives, docs/api.md#our-choices-where-the-rules-are-silent): nothing the client sent may pose
 * as one of our claims, override the method, or carry a key.
 *
 * Names are compared case-insensitively and with `_` read as `-`, since CGI, WSGI and some proxies
 * fold `_` into `-` (`X-NearIQ_Scopes` would merge with our `X-NearIQ-Scopes`). Beyond that, every
 * incoming header whose name holds a `_` is dropped, as nginx does by default
 * (`underscores_in_headers off`): no standard header has one, and an origin stack that folds them
 * can be confused by any of them, not only by ours.
 */
import { canonicalHeaderName } from "../http/header-name";

const METHOD_OVERRIDES = new Set(["x-http-method-override", "x-http-method", "x-method-override"]);
// RFC 9110 §7.6.1: hop-by-hop headers describe one connection, not the request.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);
// The origin trusts the signed assertion, never a client credential, which may itself be a key.
const CLIENT_CREDENTIALS = new Set(["authorization"]);

function droppedByName(rawName: string, connectionListed: Set<string>): boolean {
  if (rawName.includes("_")) return true;
  const name = canonicalHeaderName(rawName);
  return (
    name.startsWith("x-neariq-") ||
    METHOD_OVERRIDES.has(name) ||
    HOP_BY_HOP.has(name) ||
    CLIENT_CREDENTIALS.has(name) ||
    connectionListed.has(name)
  );
}

/**
 * The headers to send to the origin: the client's, cleaned, then `claims` set with one value each.
 * Any other header whose value looks like a key (`keyPattern`) is dropped too.
 *
 * @example
 * originHeaders(request.headers, keyLikePattern("niq_live_"), { "X-NearIQ-Account-Id": "acme" })
 */
export function originHeaders(
  incoming: Headers,
  keyPattern: RegExp,
  claims: Readonly<Record<string, string>>,
): Headers {
  const connectionListed = new Set(
    (incoming.get("connection") ?? "")
      .split(",")
      .map((token) => canonicalHeaderName(token.trim()))
      .filter(Boolean),
  );
  const outgoing = new Headers();
  for (const [name, value] of incoming) {
    if (droppedByName(name, connectionListed) || keyPattern.test(value)) continue;
    outgoing.append(name, value);
  }
  for (const [name, value] of Object.entries(claims)) outgoing.set(name, value);
  return outgoing;
}

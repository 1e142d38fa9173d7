/**
 * @module
 * Header hygiene for the request to the origin (CONTRACT §5): nothing the client sent may pose as
 * one of our claims, override the method, or carry a key.
 */

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

function droppedByName(name: string, connectionListed: Set<string>): boolean {
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
      .map((token) => token.trim().toLowerCase())
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

/**
 * @module
 * How the edge compares header names: case-insensitively and with `_` read as `-` (CONTRACT §10),
 * since CGI, WSGI and some proxies fold `_` into `-` and would merge a look-alike with the real one.
 */

/** @example canonicalHeaderName("X-NearIQ_Scopes") // "x-neariq-scopes" */
export function canonicalHeaderName(name: string): string {
  return name.toLowerCase().replaceAll("_", "-");
}

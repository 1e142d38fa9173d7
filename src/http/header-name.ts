/**
 * @module
 * How the edge compares header names: case-insensitively and with `_` read as `-` (docs/api.md#our-choices-where-the-rules-are-silent),
 * since CGI, WSGI and some proxies fold `_` into `-` and would merge a look-alike with the real one.
 */

/** @example canonicalHeaderName("X-NearIQ_Scopes") // "x-neariq-scopes" */
export function canonicalHeaderName(name: string): string {
  return name.toLowerCase().replaceAll("_", "-");
}

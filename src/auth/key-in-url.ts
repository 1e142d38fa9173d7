/**
 * @module
 * docs/api.md#the-decision-table row 1 and docs/api.md#our-choices-where-the-rules-are-silent: a key in the URL is refused before anything else, since URLs end up
 * in logs, browser histories and referrers. The path is checked too, so that no key reaches the
 * origin, however it is percent-encoded.
 */
import { ProblemError } from "../http/problem";

const VALID_ESCAPE = /%[0-9A-Fa-f]{2}/g;
const ENCODED = /[%+]/;

/**
 * `text` with every valid `%XX` decoded (as the byte's code point) and anything else, a stray `%`
 * or `%zz` included, left as it is. A key is ASCII, so decoding bytes one by one finds it exactly
 * where a strict UTF-8 decoder would give up on the whole text.
 *
 * @example
 * percentDecodeLeniently("a%62c%zz%") // "abc%zz%"
 */
export function percentDecodeLeniently(text: string): string {
  return text.includes("%")
    ? text.replace(VALID_ESCAPE, (hex) => String.fromCharCode(Number.parseInt(hex.slice(1), 16)))
    : text;
}

/**
 * Where a key may hide in `url`. Without a `%` or a `+`, decoding changes nothing: every decoded
 * segment, name and value is a piece of the raw path or query, so those two are all there is.
 */
function places(url: URL): string[] {
  const { pathname, search } = url;
  if (!ENCODED.test(pathname) && !ENCODED.test(search)) return [search, pathname];
  const found = [search, pathname];
  for (const segment of pathname.split("/")) found.push(percentDecodeLeniently(segment));
  for (const [name, value] of url.searchParams) found.push(name, value);
  return found;
}

/**
 * Throws `key_in_url` when a query parameter name or value (raw or percent-decoded) or a path
 * segment (raw or percent-decoded leniently) holds something key-like (`keyPattern`).
 *
 * @example
 * refuseKeyInUrl(new URL(request.url), keyLikePattern("niq_live_"));
 */
export function refuseKeyInUrl(url: URL, keyPattern: RegExp): void {
  if (places(url).some((place) => keyPattern.test(place))) {
    throw new ProblemError(
      "key_in_url",
      "Do not put an API key in the URL: send it in the X-NearIQ-Key header, and revoke the exposed key.",
    );
  }
}

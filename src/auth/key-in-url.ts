/**
 * @module
 * CONTRACT §3 row 1: a key in the URL is refused before anything else, since URLs end up in logs,
 * browser histories and referrers. The path is checked too, so that no key reaches the origin.
 */
import { ProblemError } from "../http/problem";

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Throws `key_in_url` when a query parameter name or value (raw or percent-decoded) or a path
 * segment holds something key-like (`keyPattern`).
 *
 * @example
 * refuseKeyInUrl(new URL(request.url), keyLikePattern("niq_live_"));
 */
export function refuseKeyInUrl(url: URL, keyPattern: RegExp): void {
  const places = [url.search, url.pathname, decoded(url.pathname)];
  for (const [name, value] of url.searchParams) places.push(name, value);
  if (places.some((place) => keyPattern.test(place))) {
    throw new ProblemError(
      "key_in_url",
      "Do not put an API key in the URL: send it in the X-NearIQ-Key header, and revoke the exposed key.",
    );
  }
}

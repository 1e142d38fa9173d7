/**
 * Server-supplied text made safe for a terminal: control characters (C0, DEL, C1), bidirectional
 * overrides and isolates, and lone surrogates are written as `\u{…}` escapes, so that no string
 * from the API can move the cursor, clear the screen or reorder what a person reads.
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * @param {unknown} value
 * @returns {string}
 * @example printable("a\u001b[2Jb") // "a\\u{1b}[2Jb"
 */
export function printable(value) {
  return String(value).replace(UNSAFE, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

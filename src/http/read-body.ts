/**
 * @module
 * Reads a request body with a hard size limit, whether the size is declared by `Content-Length`
 * or the body is streamed; over the limit, the rest is drained (within the bounds of
 * `discard-body`) and the answer is 413 `payload_too_large`.
 */
import { discardBody, drainReader } from "./discard-body";
import { ProblemError } from "./problem";

function tooLarge(maxBytes: number): ProblemError {
  return new ProblemError("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
}

/**
 * The body's bytes (empty when there is none), or `payload_too_large` past `maxBytes`.
 *
 * @example
 * const bytes = await readBodyBytes(c.req.raw, 1_048_576);
 */
export async function readBodyBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await discardBody(request);
    throw tooLarge(maxBytes);
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // The same reader drains the rest: the stream is locked to it and `bodyUsed` is already true.
      await drainReader(request, reader, total);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** `bytes` as UTF-8 JSON: `undefined` for an empty or blank body; `invalid_request` for anything else that is not JSON. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ProblemError("invalid_request", "The body is not UTF-8.");
  }
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ProblemError("invalid_request", "The body is not valid JSON.");
  }
}

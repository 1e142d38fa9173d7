/**
 * @module
 * Reads an admin request's JSON body with a hard size limit, whether the size is declared by
 * `Content-Length` or the body is streamed.
 */
import { discardBody, drainReader } from "../http/discard-body";
import { ProblemError } from "../http/problem";

export const MAX_ADMIN_BODY_BYTES = 65_536;

function tooLarge(): ProblemError {
  return new ProblemError("payload_too_large", `The body is larger than ${MAX_ADMIN_BODY_BYTES} bytes.`);
}

async function readLimited(request: Request, body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_ADMIN_BODY_BYTES) {
      // The same reader drains the rest: the stream is locked to it and `bodyUsed` is already true.
      await drainReader(request, reader, total);
      throw tooLarge();
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

/**
 * The parsed JSON body, `undefined` for an empty one; `payload_too_large` over the limit,
 * `invalid_request` for anything that is not UTF-8 JSON.
 *
 * @example
 * const body = await readJsonBody(c.req.raw);
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_ADMIN_BODY_BYTES) {
    await discardBody(request);
    throw tooLarge();
  }
  if (!request.body) return undefined;
  const bytes = await readLimited(request, request.body);
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

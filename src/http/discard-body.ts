/**
 * @module
 * A request body the edge does not use is read and dropped before it answers (docs/api.md#our-choices-where-the-rules-are-silent):
 * answering while a body is still arriving breaks some proxies and clients (`wrangler dev` among
 * them: the connection, and the next request on it, stall). The drain is bounded by time and size,
 * so that no client can hold the edge with a slow or endless body; past either bound the stream
 * is cancelled and the answer carries `Connection: close`, so the client drops that connection
 * instead of reusing it.
 */

export const MAX_DISCARD_BYTES = 16 * 1024 * 1024;
export const MAX_DISCARD_MS = 5_000;

/** Requests whose body was given up on: their answer must close the connection. */
const abandoned = new WeakSet<Request>();

type Read = ReadableStreamReadResult<Uint8Array> | "timeout";

/**
 * Reads and drops the rest of `reader`'s stream, for at most {@link MAX_DISCARD_MS} and
 * {@link MAX_DISCARD_BYTES} in all (`alreadyRead` counts toward the size); cancels it past either.
 * Marks `request` abandoned unless the whole body was read. Every timer here is this request's own.
 */
export async function drainReader(
  request: Request,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  alreadyRead = 0,
): Promise<void> {
  let total = alreadyRead;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), MAX_DISCARD_MS);
  });
  try {
    for (;;) {
      const read: Read = await Promise.race([reader.read(), deadline]);
      if (read === "timeout") break;
      if (read.done) return;
      total += read.value.byteLength;
      if (total > MAX_DISCARD_BYTES) break;
    }
    abandoned.add(request);
    await reader.cancel().catch(() => {});
  } catch {
    // The client went away: there is no connection left to reuse.
    abandoned.add(request);
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}

/**
 * Drops whatever is left of `request`'s body, within the bounds of {@link drainReader}.
 *
 * @example await discardBody(c.req.raw); if (bodyAbandoned(c.req.raw)) c.header("Connection", "close");
 */
export async function discardBody(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed || request.body.locked) return;
  await drainReader(request, request.body.getReader());
}

/** Whether the edge gave up on `request`'s body: its answer must carry `Connection: close`. */
export function bodyAbandoned(request: Request): boolean {
  return abandoned.has(request);
}

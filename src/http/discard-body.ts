/**
 * @module
 * Answering before a request body has arrived breaks some proxies and clients (`wrangler dev`
 * among them: "worker restarted mid-request"), so a body we will not use is read and dropped
 * first, up to a bound; past it, the stream is cancelled.
 */

export const MAX_DISCARD_BYTES = 16 * 1024 * 1024;

/** @example await discardBody(c.req.raw); */
export async function discardBody(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed) return;
  const reader = request.body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.byteLength;
      if (total > MAX_DISCARD_BYTES) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away: nothing left to read.
  }
}

/**
 * @module
 * The fetch to the origin: body streamed, redirects handed back untouched, a deadline on the
 * origin's answer, and failures mapped to `origin_unavailable` / `origin_timeout`.
 */
import { ProblemError } from "../http/problem";

/** The origin URL a request goes to: `ORIGIN_URL` + exactly the path and query the policy judged. */
export function originTarget(originUrl: URL, url: URL): URL {
  const base = originUrl.href.replace(/\/+$/, "").replace(/[?#].*$/, "");
  return new URL(base + url.pathname + url.search);
}

/**
 * Sends `request` to `target` with `headers`. The deadline covers the wait for the origin's
 * response headers; once they have arrived, the body streams for as long as it takes.
 *
 * @example
 * const response = await forwardToOrigin(c.req.raw, target, headers, 30_000);
 */
export async function forwardToOrigin(
  request: Request,
  target: URL,
  headers: Headers,
  timeoutMs: number,
): Promise<Response> {
  // Only this deadline aborts the fetch, so an aborted signal means the origin took too long.
  const deadline = AbortSignal.timeout(timeoutMs);
  const hasBody = request.method !== "GET" && request.method !== "HEAD" && request.body !== null;
  let response: Response;
  try {
    response = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? request.body : null,
      redirect: "manual",
      signal: deadline,
    });
  } catch {
    if (deadline.aborted) {
      throw new ProblemError("origin_timeout", `The origin did not answer within ${timeoutMs} ms.`);
    }
    throw new ProblemError("origin_unavailable", "The origin could not be reached.");
  }
  // One copy, with headers we may change; the edge's own RateLimit headers replace the origin's,
  // or none are sent (docs/limits.md).
  const answered = new Response(response.body, response);
  answered.headers.delete("ratelimit");
  answered.headers.delete("ratelimit-policy");
  return answered;
}

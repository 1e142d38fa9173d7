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
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const hasBody = request.method !== "GET" && request.method !== "HEAD" && request.body !== null;
  try {
    const response = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? request.body : null,
      redirect: "manual",
      signal: controller.signal,
    });
    const answered = new Headers(response.headers);
    // The edge's own RateLimit headers replace the origin's, or none are sent (CONTRACT §7).
    answered.delete("ratelimit");
    answered.delete("ratelimit-policy");
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: answered,
    });
  } catch {
    if (timedOut) {
      throw new ProblemError("origin_timeout", `The origin did not answer within ${timeoutMs} ms.`);
    }
    throw new ProblemError("origin_unavailable", "The origin could not be reached.");
  } finally {
    clearTimeout(timer);
  }
}

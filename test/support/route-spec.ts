/**
 * The route table as docs/policy.md#routes writes it, read from the page itself: an oracle for
 * tests that must not take their expected values from the matcher they test. Its rules are the
 * page's words: `{id}` is one non-empty path segment without an encoded `/` or `\`; `HEAD` is
 * allowed wherever `GET` is.
 */

export interface SpecRoute {
  readonly methods: readonly string[];
  readonly segments: readonly string[];
  readonly answeredByEdge: boolean;
}

/** The rows of the page's routes table (`| GET, POST | \`/v1/webhooks\` | webhooks:manage |`). */
export function routesOf(policyMarkdown: string): SpecRoute[] {
  const table = policyMarkdown.slice(
    policyMarkdown.indexOf("<!-- routes:start -->"),
    policyMarkdown.indexOf("<!-- routes:end -->"),
  );
  const routes: SpecRoute[] = [];
  for (const line of table.split("\n")) {
    const row = /^\| ([A-Z, ]+) \| `([^`]+)` \| ([^|]+) \|$/.exec(line);
    if (!row) continue;
    routes.push({
      methods: (row[1] as string).split(",").map((m) => m.trim()),
      segments: (row[2] as string).split("/"),
      answeredByEdge: (row[3] as string).includes("answered by the edge"),
    });
  }
  return routes;
}

function segmentMatches(template: string, segment: string): boolean {
  if (template !== "{id}") return template === segment;
  const lower = segment.toLowerCase();
  return segment.length > 0 && !lower.includes("%2f") && !lower.includes("%5c");
}

/** The route of `routes` that `method` on `pathname` (as parsed) matches, if any. */
export function specRoute(routes: readonly SpecRoute[], method: string, pathname: string): SpecRoute | undefined {
  const segments = pathname.split("/");
  return routes.find(
    (route) =>
      (route.methods.includes(method) || (method === "HEAD" && route.methods.includes("GET"))) &&
      route.segments.length === segments.length &&
      route.segments.every((template, i) => segmentMatches(template, segments[i] as string)),
  );
}

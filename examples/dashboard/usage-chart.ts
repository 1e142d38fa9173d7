/**
 * @module
 * The usage chart of Settings → API, rendered on the server as SVG (the Content-Security-Policy
 * allows no inline script or style): admitted and refused requests stacked per hour or per day,
 * with scales and ticks from `d3-scale`. The chart is an `<svg role="img">` named by its title; a
 * table with the same numbers follows it for anyone who would rather read them.
 */
import { scaleBand, scaleLinear } from "d3-scale";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export interface UsageBucket {
  start: string;
  admitted: number;
  refused: Record<string, number>;
}

export type UsageRange = "24h" | "30d";

const WIDTH = 720;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 12, bottom: 28, left: 48 };

const refusedOf = (b: UsageBucket) => Object.values(b.refused).reduce((a, n) => a + n, 0);

/** How a bucket's start reads on the axis and in the table: the hour (UTC), or the day. */
function bucketLabel(start: string, range: UsageRange): string {
  return range === "24h" ? `${start.slice(11, 16)}` : start.slice(5, 10);
}

export function usageTitle(range: UsageRange): string {
  return range === "24h" ? "Requests per hour" : "Requests per day";
}

/**
 * The chart and its table.
 *
 * @example
 * usageChart(usage.buckets, "24h")
 */
export function usageChart(
  buckets: readonly UsageBucket[],
  range: UsageRange,
): HtmlEscapedString | Promise<HtmlEscapedString> {
  const title = usageTitle(range);
  const span = range === "24h" ? "the last 24 hours, by UTC hour" : "the last 30 days, by UTC day";
  const x = scaleBand<string>()
    .domain(buckets.map((b) => b.start))
    .range([MARGIN.left, WIDTH - MARGIN.right])
    .padding(0.15);
  const max = Math.max(1, ...buckets.map((b) => b.admitted + refusedOf(b)));
  const y = scaleLinear()
    .domain([0, max])
    .nice()
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const ticks = y.ticks(4).filter((t) => Number.isInteger(t));
  const labelEvery = Math.ceil(buckets.length / 8);
  const totals = buckets.reduce((t, b) => ({ admitted: t.admitted + b.admitted, refused: t.refused + refusedOf(b) }), {
    admitted: 0,
    refused: 0,
  });
  return html`<figure class="usage">
    <svg role="img" aria-labelledby="usage-title usage-desc" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" class="chart">
      <title id="usage-title">${title}: admitted and refused requests over ${span}</title>
      <desc id="usage-desc">${totals.admitted} admitted and ${totals.refused} refused in all; the table below has every number.</desc>
      ${ticks.map(
        (t) => html`<g class="tick">
          <line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(t)}" y2="${y(t)}"></line>
          <text x="${MARGIN.left - 6}" y="${y(t) + 4}" text-anchor="end">${t.toLocaleString("en-US")}</text>
        </g>`,
      )}
      ${buckets.map((b, i) => {
        const refused = refusedOf(b);
        const left = x(b.start) ?? 0;
        const width = x.bandwidth();
        const admittedTop = y(b.admitted);
        const refusedTop = y(b.admitted + refused);
        return html`<g class="bar">
          <rect class="admitted" x="${left}" width="${width}" y="${admittedTop}" height="${y(0) - admittedTop}"></rect>
          <rect class="refused" x="${left}" width="${width}" y="${refusedTop}" height="${admittedTop - refusedTop}"></rect>
          ${
            i % labelEvery === 0
              ? html`<text class="axis" x="${left + width / 2}" y="${HEIGHT - 8}" text-anchor="middle">${bucketLabel(b.start, range)}</text>`
              : ""
          }
        </g>`;
      })}
    </svg>
    <figcaption><span class="swatch admitted"></span> admitted <span class="swatch refused"></span> refused (UTC)</figcaption>
  </figure>
  <div class="scroll tall" tabindex="0" role="region" aria-label="${title}, as a table">
  <table id="usage-table">
      <caption>${title}</caption>
      <thead>
        <tr><th scope="col">${range === "24h" ? "Hour (UTC)" : "Day (UTC)"}</th><th scope="col">Admitted</th><th scope="col">Refused</th></tr>
      </thead>
      <tbody>
        ${buckets.map(
          (b) =>
            html`<tr><th scope="row">${range === "24h" ? `${b.start.slice(0, 10)} ${bucketLabel(b.start, range)}` : b.start.slice(0, 10)}</th><td>${b.admitted}</td><td>${refusedOf(b)}</td></tr>`,
        )}
      </tbody>
      <tfoot>
        <tr><th scope="row">Total</th><td>${totals.admitted}</td><td>${totals.refused}</td></tr>
      </tfoot>
    </table>
  </div>`;
}

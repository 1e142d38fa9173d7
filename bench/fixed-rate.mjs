/**
 * Fixed-rate load: one request every 1/rate seconds, whatever the answers take (the schedule does
 * not wait for them, so slow answers cannot hide by slowing the load down: no coordinated
 * omission). Latency is measured from each request's scheduled time.
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { pathToFileURL } from "node:url";

/**
 * @param {{ url: string, headers?: Record<string, string> | ((i: number) => Record<string, string>), rate: number, seconds: number, onAnswer?: (status: number, at: number, headers: import("node:http").IncomingHttpHeaders) => void }} options
 * @returns {Promise<{ sent: number, latenciesMs: number[], statuses: Record<string, number> }>}
 */
export async function fixedRate({ url, headers = {}, rate, seconds, onAnswer }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(rate * seconds);
  const intervalMs = 1000 / rate;
  const latenciesMs = [];
  const statuses = {};
  const start = performance.now() + 50;
  const inFlight = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(
      new Promise((resolve) => {
        const sent = typeof headers === "function" ? headers(i) : headers;
        const req = request(url, { agent, headers: sent }, (res) => {
          res.resume();
          res.on("end", () => {
            latenciesMs.push(performance.now() - due);
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            onAnswer?.(res.statusCode ?? 0, Date.now(), res.headers);
            resolve();
          });
        });
        req.on("error", () => {
          statuses.error = (statuses.error ?? 0) + 1;
          resolve();
        });
        req.end();
      }),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { sent: total, latenciesMs, statuses };
}

/** The q-quantile (0..1) of `values`. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Run as its own process (`node bench/fixed-rate.mjs job.json`), so that the schedule and the
 * clock are not shared with the origin and the log collector of bench/run.mjs: the job names
 * `url`, `rate`, `seconds` and `keys` (request i sends `X-NearIQ-Key: keys[i % keys.length]`);
 * prints `{ sent, latenciesMs, statuses }` as JSON.
 */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url, rate, seconds, keys } = JSON.parse(readFileSync(process.argv[2], "utf8"));
  const result = await fixedRate({ url, rate, seconds, headers: (i) => ({ "X-NearIQ-Key": keys[i % keys.length] }) });
  process.stdout.write(JSON.stringify(result));
}

/**
 * Requests that arrive together, over real HTTP connections into workerd (no request may
 * hang). The bundled edge runs under Miniflare as the benchmark runs it. A request that awaited a
 * promise settled by another request's I/O would be cancelled by the runtime as hung: a bare 500
 * with the runtime's own text, and no log line of ours.
 */
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDevVars } from "../../scripts/dev-vars.mjs";
import { bundleEdge, startEdge } from "../../scripts/miniflare-edge.mjs";

const ORIGIN_PORT = 28800;
const STRICT_PORT = 28801;
const LEASED_PORT = 28802;
const LEASE_MS = 150;

interface Edge {
  url: string;
  logs: Buffer[];
  dispose(): Promise<void>;
}

let origin: Server;
let forwarded = 0;
const edges: Edge[] = [];
let strict: Edge;
let leased: Edge;

async function edgeWith(port: number, scriptPath: string, secrets: Record<string, string>, leaseMs: number) {
  const logs: Buffer[] = [];
  const mf = await startEdge({
    scriptPath,
    port,
    bindings: { ...secrets, AUTH_LEASE_MS: String(leaseMs) },
    onStdout: (chunk: Buffer) => logs.push(chunk),
  });
  const edge = { url: `http://127.0.0.1:${port}`, logs, dispose: () => mf.dispose() };
  edges.push(edge);
  return edge;
}

/** Sums `authority_calls` over the request log lines written since the last call. */
function authorityCallsLogged(edge: Edge): { requests: number; authorityCalls: number } {
  const text = Buffer.concat(edge.logs.splice(0)).toString();
  let requests = 0;
  let authorityCalls = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith('{"request_id"')) continue;
    const entry = JSON.parse(line) as { authority_calls: number };
    requests++;
    authorityCalls += entry.authority_calls;
  }
  return { requests, authorityCalls };
}

/** A key of an account whose limits are `limits` (far above the load, or none at all). */
async function keyOn(edge: Edge, adminToken: string, limits: unknown): Promise<string> {
  const headers = { Authorization: `Bearer ${adminToken}` };
  const account = await fetch(`${edge.url}/_admin/accounts/busy`, {
    method: "PUT",
    headers,
    body: JSON.stringify({ plan: "pro", limits }),
  });
  expect(account.status).toBe(200);
  const created = await fetch(`${edge.url}/_admin/accounts/busy/keys`, { method: "POST", headers });
  expect(created.status).toBe(201);
  return ((await created.json()) as { key: string }).key;
}

/** `n` requests at once with `key`: their statuses, and how many bodies carry the runtime's hang text. */
async function burst(edge: Edge, key: string, n: number): Promise<{ statuses: number[]; hung: number }> {
  const responses = await Promise.all(
    Array.from({ length: n }, () => fetch(`${edge.url}/v1/competitors`, { headers: { "X-NearIQ-Key": key } })),
  );
  const bodies = await Promise.all(responses.map((r) => r.text()));
  return { statuses: responses.map((r) => r.status), hung: bodies.filter((b) => /hung|canceled/i.test(b)).length };
}

beforeAll(async () => {
  origin = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      forwarded++;
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => origin.listen(ORIGIN_PORT, "127.0.0.1", resolve));
  const scriptPath = bundleEdge(join(".e2e", "concurrency-bundle"));
  const secrets = await freshDevVars(`http://127.0.0.1:${ORIGIN_PORT}`);
  strict = await edgeWith(STRICT_PORT, scriptPath, secrets, 0);
  leased = await edgeWith(LEASED_PORT, scriptPath, secrets, LEASE_MS);
  const keys = {
    strict: await keyOn(strict, secrets.ADMIN_TOKEN, { per_minute: null, per_day: null }),
    // Metered, far above the load: the allotments of quota leases are shared by the burst too.
    leased: await keyOn(leased, secrets.ADMIN_TOKEN, { per_minute: 1_000_000_000, per_day: 1_000_000_000 }),
  };
  Object.assign(strictKey, { value: keys.strict });
  Object.assign(leasedKey, { value: keys.leased });
});

const strictKey = { value: "" };
const leasedKey = { value: "" };

afterAll(async () => {
  for (const edge of edges) await edge.dispose();
  await new Promise<void>((resolve) => origin.close(() => resolve()));
});

describe("concurrent requests with one key, over HTTP into workerd", () => {
  it("AUTH_LEASE_MS=0: 100 waves of 16 at once, every answer 200, one authority call per request (at most two over a minute boundary)", async () => {
    authorityCallsLogged(strict);
    const before = forwarded;
    const statuses: number[] = [];
    let hung = 0;
    let wavesOverAMinuteBoundary = 0;
    for (let wave = 0; wave < 100; wave++) {
      const minute = Math.floor(Date.now() / 60_000);
      const result = await burst(strict, strictKey.value, 16);
      statuses.push(...result.statuses);
      hung += result.hung;
      wavesOverAMinuteBoundary += Number(Math.floor(Date.now() / 60_000) !== minute);
    }
    expect({ statuses, hung }).toEqual({ statuses: Array(1600).fill(200), hung: 0 });
    expect(forwarded - before).toBe(1600);
    // Lease 0 means "ask on every request": nothing may be reused, so every request asks itself.
    // A grant is spent only in the minute it was made for (docs/limits.md#exact-everywhere): a
    // request whose answer comes back after its minute ended asks once more. So only a wave over a
    // minute boundary may cost more than one call per request, and at most one more.
    const { requests, authorityCalls } = authorityCallsLogged(strict);
    expect(requests).toBe(1600);
    expect(authorityCalls).toBeGreaterThanOrEqual(1600);
    expect(authorityCalls).toBeLessThanOrEqual(1600 + 16 * wavesOverAMinuteBoundary);
  });

  it("leases and quota leases: 200 at once, and 200 again after the lease ran out, share a few authority calls", async () => {
    authorityCallsLogged(leased);
    const before = forwarded;
    const first = await burst(leased, leasedKey.value, 200);
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 50));
    const second = await burst(leased, leasedKey.value, 200);
    expect([first, second]).toEqual([
      { statuses: Array(200).fill(200), hung: 0 },
      { statuses: Array(200).fill(200), hung: 0 },
    ]);
    expect(forwarded - before).toBe(400);
    const logged = authorityCallsLogged(leased);
    expect(logged.requests).toBe(400);
    // Requests that find a call on its way wait for its lease instead of asking again: at least one
    // call per burst, and far fewer than one per request.
    expect(logged.authorityCalls).toBeGreaterThanOrEqual(2);
    expect(logged.authorityCalls).toBeLessThanOrEqual(20);
  });
});

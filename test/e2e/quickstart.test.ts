/**
 * End to end, over real HTTP: `wrangler dev` (the edge) and the example origin as their own
 * processes, driven with the key CLI as the README's quickstart does.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { createServer, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { promisify } from "node:util";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDevVars } from "../../scripts/dev-vars.mjs";
import { DevStack } from "../support/dev-stack";

const run = promisify(execFile);
const EDGE_PORT = 28787;
const ORIGIN_PORT = 28788;
const KEYS_PORT = 28789;
const SANDBOX_PORT = 28790;
const RECEIVER_PORT = 28791;
const SANDBOX = `http://127.0.0.1:${SANDBOX_PORT}`;
let receiver: Server;
const deliveries: { headers: Record<string, string>; body: string }[] = [];
const EDGE = `http://127.0.0.1:${EDGE_PORT}`;
const ORIGIN = `http://127.0.0.1:${ORIGIN_PORT}`;

let secrets: { ADMIN_TOKEN: string; ASSERTION_PRIVATE_JWK: string; ORIGIN_URL: string; EVENTS_WEBHOOK_SECRET: string };
const stack = new DevStack();
/**
 * A POST of `contentLength` bytes over a raw connection, its body written by `writeBody`: the
 * answer's status, and whether the server closed the connection (the edge gives up on a body it
 * does not use past 5 s or 16 MiB; `wrangler dev` turns its `Connection: close` into a closed socket).
 */
function rawUpload(
  path: string,
  contentLength: number,
  writeBody: (socket: Socket) => void,
): Promise<{ status: number; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(EDGE_PORT, "127.0.0.1");
    let head = "";
    const timeout = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 45 s: ${head.slice(0, 200)}`));
    }, 80_000); // 17 MiB through wrangler dev's proxy is slow on a busy 2-core machine
    socket.on("error", () => {});
    socket.on("data", (data) => {
      head += data.toString("latin1");
    });
    socket.on("end", () => {
      clearTimeout(timeout);
      socket.destroy();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), closedByServer: true });
    });
    socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${contentLength}\r\n\r\n`);
    writeBody(socket);
  });
}

async function keysCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["scripts/keys.mjs", ...args], {
      env: { ...process.env, NEARIQ_EDGE_URL: EDGE, NEARIQ_ADMIN_TOKEN: secrets.ADMIN_TOKEN },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A stand-in for GitHub: a P-256 key pair whose public half is served as the keys document. */
const github = generateKeyPairSync("ec", { namedCurve: "P-256" });
const GITHUB_KEY_ID = "e2e-github-key";
let keysServer: Server;

function signedReport(items: unknown[]): RequestInit {
  const body = JSON.stringify(items);
  const signature = sign("sha256", Buffer.from(body), { key: github.privateKey, dsaEncoding: "der" }).toString(
    "base64",
  );
  return {
    method: "POST",
    body,
    headers: { "Github-Public-Key-Identifier": GITHUB_KEY_ID, "Github-Public-Key-Signature": signature },
  };
}

beforeAll(async () => {
  const pem = github.publicKey.export({ type: "spki", format: "pem" }).toString();
  keysServer = createServer((_, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ public_keys: [{ key_identifier: GITHUB_KEY_ID, key: pem, is_current: true }] }));
  });
  await new Promise<void>((resolve) => keysServer.listen(KEYS_PORT, "127.0.0.1", resolve));
  secrets = await freshDevVars(ORIGIN);
  // The webhook receiver of this test: every delivery kept, to verify with standardwebhooks.
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      deliveries.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(RECEIVER_PORT, "127.0.0.1", resolve));
  stack.startEdge(EDGE_PORT, 29229, {
    ADMIN_TOKEN: secrets.ADMIN_TOKEN,
    ASSERTION_PRIVATE_JWK: secrets.ASSERTION_PRIVATE_JWK,
    ORIGIN_URL: ORIGIN,
    ORIGIN_TEST_URL: SANDBOX,
    EVENTS_WEBHOOK_URL: `http://127.0.0.1:${RECEIVER_PORT}/hooks`,
    EVENTS_WEBHOOK_SECRET: secrets.EVENTS_WEBHOOK_SECRET,
    AUTH_LEASE_MS: "500",
    SECRET_SCANNING_KEYS_URL: `http://127.0.0.1:${KEYS_PORT}/keys`,
  });
  stack.start(process.execPath, ["examples/origin/server.mjs"], { PORT: String(ORIGIN_PORT), EDGE_URL: EDGE });
  stack.start(process.execPath, ["examples/origin/server.mjs"], {
    PORT: String(SANDBOX_PORT),
    EDGE_URL: EDGE,
    ORIGIN_MODE: "test",
  });
  await stack.waitFor(`${EDGE}/healthz`, 45_000);
  await stack.waitFor(`${ORIGIN}/`, 10_000);
}, 60_000);

afterAll(() => {
  keysServer.close();
  receiver?.close();
  stack.stop();
});

describe("quickstart over HTTP (wrangler dev + example origin + key CLI)", () => {
  const account = `e2e_${Date.now()}`;
  let key = "";
  let keyId = "";

  it("creates an account and a key with the CLI; the key is printed once", async () => {
    const plan = await keysCli("plan", account, "pro");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`account ${account}: plan pro`);
    const created = await keysCli("create", account, "--name", "e2e", "--export");
    expect(created.code).toBe(0);
    key = /NEARIQ_KEY='([^']+)'/.exec(created.stdout)?.[1] ?? "";
    keyId = /NEARIQ_KEY_ID='([^']+)'/.exec(created.stdout)?.[1] ?? "";
    expect(key).toMatch(/^niq_live_[0-9A-Za-z]{38}$/);
    expect(created.stderr).toMatch(/only time the key is shown/);
    const listed = await keysCli("list", account);
    expect(listed.stdout).toContain(keyId);
    expect(listed.stdout).toContain(`niq_live_\u2026${key.slice(-4)}`);
    expect(listed.stdout).not.toContain(key);
  });

  it("forwards a /v1 request; the example origin verifies the assertion and echoes the claims", async () => {
    const res = await fetch(`${EDGE}/v1/competitors?city=austin`, { headers: { "X-NearIQ-Key": key } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      received: { path: string; query: string; headers: Record<string, string> };
      verified_assertion: { sub: string; key_id: string; htu: string; plan: string };
    };
    expect(body.received.path).toBe("/v1/competitors");
    expect(body.received.query).toBe("?city=austin");
    expect(body.received.headers["x-neariq-account-id"]).toBe(account);
    expect(body.received.headers["x-neariq-key"]).toBeUndefined();
    expect(body.verified_assertion).toMatchObject({
      sub: account,
      key_id: keyId,
      plan: "pro",
      htu: "/v1/competitors?city=austin",
    });
    expect(res.headers.get("x-neariq-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("limits: the CLI sets them, the edge counts exactly and answers 429 with its headers", async () => {
    const limited = `${account}_limits`;
    const plan = await keysCli("plan", limited, "pro", "--per-minute", "3", "--per-day", "none");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`account ${limited}: plan pro, 3 per minute, none per day`);
    const created = await keysCli("create", limited, "--rate-limit", "2", "--export");
    const limitedKey = /NEARIQ_KEY='([^']+)'/.exec(created.stdout)?.[1] ?? "";
    expect(limitedKey).toMatch(/^niq_live_/);
    // Stay clear of a minute boundary, where the window would open again.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 200));
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(await fetch(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": limitedKey } }));
    }
    expect(answers.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(answers[0]?.headers.get("ratelimit-policy")).toBe('"key-minute";q=2;w=60, "minute";q=3;w=60');
    expect(answers[0]?.headers.get("ratelimit")).toMatch(/^"key-minute";r=1;t=\d+, "minute";r=2;t=\d+$/);
    const refused = answers[2] as Response;
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get("ratelimit")).toMatch(/^"key-minute";r=0;t=\d+, "minute";r=1;t=\d+$/);
    const problem = (await refused.json()) as Record<string, unknown>;
    expect([problem.code, problem.policy, problem.limit, problem.retry_after]).toEqual([
      "rate_limited",
      "key-minute",
      2,
      retryAfter,
    ]);
  }, 90_000);

  it("rolls a key with the CLI: the new one works, the old one stops at once with grace 0; list shows the links", async () => {
    const created = await keysCli(
      "create",
      account,
      "--name",
      "to-roll",
      "--allow-ip",
      "127.0.0.0/8",
      "--allow-ip",
      "::1",
      "--export",
    );
    const oldKey = /NEARIQ_KEY='([^']+)'/.exec(created.stdout)?.[1] ?? "";
    const oldId = /NEARIQ_KEY_ID='([^']+)'/.exec(created.stdout)?.[1] ?? "";
    expect(created.stderr).toContain("allowed IPs: 127.0.0.0/8 ::1/128");
    expect((await fetch(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": oldKey } })).status).toBe(200);
    const rolled = await keysCli("roll", account, oldId, "--grace", "0", "--export");
    expect(rolled.code).toBe(0);
    const newKey = /NEARIQ_KEY='([^']+)'/.exec(rolled.stdout)?.[1] ?? "";
    const newId = /NEARIQ_KEY_ID='([^']+)'/.exec(rolled.stdout)?.[1] ?? "";
    expect(newKey).toMatch(/^niq_live_[0-9A-Za-z]{38}$/);
    expect(rolled.stderr).toContain(`rolled ${oldId} to ${newId}`);
    const old = await fetch(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": oldKey } });
    expect(old.status).toBe(401);
    expect(((await old.json()) as { code: string }).code).toBe("expired_key");
    const fresh = await fetch(`${EDGE}/v1/api-keys/current`, { headers: { "X-NearIQ-Key": newKey } });
    expect(fresh.status).toBe(200);
    expect((await fresh.json()) as { allowed_ips: string[]; name: string }).toMatchObject({
      allowed_ips: ["127.0.0.0/8", "::1/128"],
      name: "to-roll",
    });
    // The copied allowlist holds: another client address is refused.
    const elsewhere = await fetch(`${EDGE}/v1/competitors`, {
      headers: { "X-NearIQ-Key": newKey, "CF-Connecting-IP": "203.0.113.9" },
    });
    expect(elsewhere.status).toBe(403);
    expect(((await elsewhere.json()) as { code: string }).code).toBe("ip_not_allowed");
    const listed = await keysCli("list", account);
    expect(listed.stdout.split("\n")[0]).toMatch(
      /^ID\s+NAME\s+KEY\s+MODE\s+STATUS\s+CREATED\s+EXPIRES\s+LAST USED\s+LIMIT\s+ALLOWED IPS\s+SCOPES$/,
    );
    expect(listed.stdout).toMatch(new RegExp(`${oldId}\\s.*expired, rolled to ${newId}`));
    expect(listed.stdout).toMatch(new RegExp(`${newId}\\s.*active, rolled from ${oldId}`));
  });

  it("a leaked key reported by GitHub is revoked at once, and the CLI lists it as leaked", async () => {
    const created = await keysCli("create", account, "--name", "leaky", "--export");
    const leaky = /NEARIQ_KEY='([^']+)'/.exec(created.stdout)?.[1] ?? "";
    const leakyId = /NEARIQ_KEY_ID='([^']+)'/.exec(created.stdout)?.[1] ?? "";
    expect((await fetch(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": leaky } })).status).toBe(200);
    const res = await fetch(
      `${EDGE}/_partners/github/secret-scanning`,
      signedReport([
        { token: leaky, type: "neariq_api_key", url: "https://github.com/o/r/blob/main/.env", source: "content" },
        { token: "niq_live_notarealkey", type: "neariq_api_key" },
      ]),
    );
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { label: string; token_type: string }[];
    expect(answer.map((a) => a.label)).toEqual(["true_positive", "false_positive"]);
    const after = await fetch(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": leaky } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { code: string }).code).toBe("revoked_key");
    const forged = await fetch(`${EDGE}/_partners/github/secret-scanning`, {
      ...signedReport([{ token: leaky }]),
      body: JSON.stringify([{ token: "changed" }]),
    });
    expect(forged.status).toBe(401);
    const listed = await keysCli("list", account);
    expect(listed.stdout).toMatch(new RegExp(`${leakyId}\\s.*leaked at https://github.com/o/r/blob/main/.env`));
  });

  it("the example origin refuses anything the edge did not sign", async () => {
    const res = await fetch(`${ORIGIN}/v1/competitors`, { headers: { "X-NearIQ-Account-Id": account } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("missing_assertion");
  });

  it("answers a streamed or oversized body it refuses without breaking the connection", async () => {
    const chunks = Array.from({ length: 40 }, () => new Uint8Array(64 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const streamed = await fetch(`${EDGE}/v1/competitors`, {
      method: "POST",
      headers: { "X-NearIQ-Key": "nope" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(401);
    const big = await fetch(`${EDGE}/_admin/accounts/${account}/keys`, {
      method: "POST",
      headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
      body: "x".repeat(200_000),
    });
    expect(big.status).toBe(413);
    expect((await fetch(`${EDGE}/healthz`)).status).toBe(200);
  });

  it("drains a refused chunked admin body over 64 KiB: 413, and the next request is served at once", async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * 1024 * 1024) return controller.close();
        sent += 16 * 1024;
        controller.enqueue(new Uint8Array(16 * 1024));
      },
    });
    const res = await fetch(`${EDGE}/_admin/accounts/${account}/keys`, {
      method: "POST",
      headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe("payload_too_large");
    expect(sent).toBe(2 * 1024 * 1024);
    const next = await fetch(`${EDGE}/healthz`, { signal: AbortSignal.timeout(5_000) });
    expect(next.status).toBe(200);
  });

  it("gives up on a body that trickles after 5 s and closes that connection; the next request is served", async () => {
    const started = Date.now();
    const answer = await rawUpload("/v1/competitors", 100, (socket) => {
      const timer = setInterval(() => socket.write("x"), 500);
      socket.on("close", () => clearInterval(timer));
    });
    expect(answer.status).toBe(401);
    expect(answer.closedByServer).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
    const next = await fetch(`${EDGE}/healthz`, { signal: AbortSignal.timeout(5_000) });
    expect(next.status).toBe(200);
  }, 60_000);

  it("answers a 17 MiB body without a key 401 and closes that connection; the next request is served", async () => {
    const size = 17 * 1024 * 1024;
    const answer = await rawUpload("/v1/competitors", size, (socket) => {
      const chunk = Buffer.alloc(64 * 1024, 120);
      let sent = 0;
      const pump = () => {
        while (sent < size && !socket.destroyed) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once("drain", pump);
        }
      };
      pump();
    });
    expect(answer.status).toBe(401);
    expect(answer.closedByServer).toBe(true);
    const next = await fetch(`${EDGE}/healthz`, { signal: AbortSignal.timeout(5_000) });
    expect(next.status).toBe(200);
  }, 90_000); // on a busy 2-core machine the upload through wrangler dev's proxy can take a while

  it("a trailing space or tab around the key, as curl sends it, is not part of the key", async () => {
    for (const padded of [`${key} `, `\t${key}\t`]) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(EDGE_PORT, "127.0.0.1");
        let text = "";
        socket.on("data", (d) => {
          text += d.toString("latin1");
          if (text.includes("\r\n\r\n")) {
            socket.destroy();
            resolve(text);
          }
        });
        socket.on("error", reject);
        socket.write(
          `GET /v1/competitors HTTP/1.1\r\nHost: 127.0.0.1\r\nX-NearIQ-Key: ${padded}\r\nConnection: close\r\n\r\n`,
        );
      });
      expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
    }
  });

  it("a limit added during a busy minute applies to what the minute admitted: a burst then gets exactly the rest", async () => {
    const busy = `${account}_busy`;
    expect((await keysCli("plan", busy, "pro", "--per-minute", "none", "--per-day", "none")).code).toBe(0);
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await keysCli("create", busy, "--export");
      keys.push(/NEARIQ_KEY='([^']+)'/.exec(created.stdout)?.[1] ?? "");
    }
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 35_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 200));
    const call = (k: string) => fetch(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": k } });
    const before = await Promise.all(Array.from({ length: 12 }, (_, i) => call(keys[i % 3] as string)));
    expect(before.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect((await keysCli("plan", busy, "pro", "--per-minute", "20", "--per-day", "none")).code).toBe(0);
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => call(keys[i % 3] as string)));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBe(8);
    expect(statuses.filter((s) => s === 429).length).toBe(22);
  }, 90_000);

  it("usage: a burst of 25 concurrent requests appears exactly in the usage within AUTH_LEASE_MS + 15 s; the CLI prints it", async () => {
    const counted = `${account}_usage`;
    await keysCli("plan", counted, "pro");
    const created = await keysCli("create", counted, "--export");
    const burstKey = /NEARIQ_KEY='([^']+)'/.exec(created.stdout)?.[1] ?? "";
    const burst = await Promise.all(
      Array.from({ length: 25 }, () => fetch(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": burstKey } })),
    );
    expect(burst.map((r) => r.status)).toEqual(Array(25).fill(200));
    const deadline = Date.now() + 500 + 15_000;
    let admitted = 0;
    while (Date.now() < deadline) {
      const res = await fetch(`${EDGE}/_admin/accounts/${counted}/usage`, {
        headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
      });
      admitted = ((await res.json()) as { totals: { admitted: number } }).totals.admitted;
      if (admitted >= 25) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(admitted).toBe(25);
    const printed = await keysCli("usage", counted);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^total\s+25\s+—/m);
  }, 30_000);

  it("test keys: a test key's request reaches the sandbox origin and never the live one; the live origin refuses a test assertion", async () => {
    const created = await keysCli("create", account, "--name", "ci", "--test", "--export");
    expect(created.code).toBe(0);
    const testKey = /NEARIQ_KEY='([^']+)'/.exec(created.stdout)?.[1] ?? "";
    expect(testKey).toMatch(/^niq_test_[0-9A-Za-z]{38}$/);
    const res = await fetch(`${EDGE}/v1/competitors?city=austin`, { headers: { "X-NearIQ-Key": testKey } });
    const body = (await res.json()) as {
      received: { headers: Record<string, string> };
      verified_assertion: { mode: string; aud: string };
      sandbox?: { competitors: unknown[] };
    };
    expect([res.status, body.verified_assertion.mode, body.verified_assertion.aud]).toEqual([200, "test", SANDBOX]);
    expect(body.received.headers["x-neariq-mode"]).toBe("test");
    expect(body.sandbox?.competitors.length).toBeGreaterThan(0);
    // Replayed at the live origin, the test assertion is refused by the verifier.
    const replay = await fetch(`${ORIGIN}/v1/competitors?city=austin`, {
      headers: Object.fromEntries(Object.entries(body.received.headers)),
    });
    expect(replay.status).toBe(401);
    const live = await fetch(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": key } });
    expect(((await live.json()) as { verified_assertion: { mode: string } }).verified_assertion.mode).toBe("live");
  });

  it("closing an account with keys in use: refused at once, and the webhook receives account.closed, verified", async () => {
    const closing = `${account}_closing`;
    await keysCli("plan", closing, "starter");
    const created = await keysCli("create", closing, "--export");
    const closingKey = /NEARIQ_KEY='([^']+)'/.exec(created.stdout)?.[1] ?? "";
    expect((await fetch(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": closingKey } })).status).toBe(200);
    const refusedWithoutYes = await keysCli("close", closing);
    expect(refusedWithoutYes.code).toBe(2);
    expect(refusedWithoutYes.stderr).toContain("revokes its 1 active key");
    const closed = await keysCli("close", closing, "--yes");
    expect([closed.code, closed.stdout]).toEqual([0, expect.stringMatching(/^closed .* 1 keys revoked\n$/)]);
    const after = await fetch(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": closingKey } });
    expect(after.status).toBe(401);
    const until = Date.now() + 15_000;
    let event: { type: string; data: unknown } | undefined;
    while (!event && Date.now() < until) {
      const delivery = deliveries.find(
        (d) => d.body.includes(`"account_id":"${closing}"`) && d.body.includes("account.closed"),
      );
      if (delivery)
        event = new Webhook(secrets.EVENTS_WEBHOOK_SECRET).verify(delivery.body, delivery.headers) as typeof event;
      else await new Promise((r) => setTimeout(r, 300));
    }
    expect([event?.type, event?.data]).toEqual(["account.closed", { keys_revoked: 1 }]);
  }, 30_000);

  it("revokes with the CLI; the next request gets 401 revoked_key", async () => {
    const revoked = await keysCli("revoke", account, keyId);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`revoked ${keyId}`);
    const res = await fetch(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": key } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("revoked_key");
  });

  it("the CLI exits with codes scripts can use", async () => {
    expect((await keysCli("plan", account, "platinum")).code).toBe(1);
    expect((await keysCli("bogus")).code).toBe(2);
    expect((await keysCli("list", account, "--token", "x".repeat(40))).code).toBe(4);
    expect((await keysCli("list", account, "--url", "http://127.0.0.1:9")).code).toBe(3);
  });

  it("never printed the key in any log line of the edge or the origin", () => {
    expect(key).not.toBe("");
    expect(stack.output).not.toContain(key);
    expect(stack.output).toContain("Ready on");
  });
});

/**
 * A stand-in for the origin, for tests inside workerd: it records every request it receives and
 * answers as the query asks (`behave=stall|redirect|ratelimit`), so that tests can assert exactly what
 * the origin did or did not receive. Started by vitest's global setup on 127.0.0.1.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type ReceivedRequest, type ReceivedWebhook, TEST_ORIGIN_PORT, TEST_SANDBOX_PORT } from "./origin-contract.ts";

export { type ReceivedRequest, TEST_ORIGIN_PORT, TEST_SANDBOX_PORT } from "./origin-contract.ts";

export interface TestOrigin {
  server: Server;
  sandbox: Server;
  /** Everything forwarded to the origin during the run. */
  received: ReceivedRequest[];
  /** Every key the tests created (registered by the test helpers), for the leak check. */
  createdKeys: Set<string>;
  /** Every admin answer the tests received, for the check against docs/openapi.json. */
  adminAnswers: AdminAnswer[];
}

export interface AdminAnswer {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  body: string;
}

export function startTestOrigin(port = TEST_ORIGIN_PORT, sandboxPort = TEST_SANDBOX_PORT): Promise<TestOrigin> {
  const received: ReceivedRequest[] = [];
  // A stand-in webhook receiver: it records every delivery, and answers as told (`PUT /__webhook-mode`):
  // "ok", "fail N" (the next N answer 500), "down" (503 until told otherwise), "slow" (no answer for 12 s).
  const webhooks: ReceivedWebhook[] = [];
  let webhookMode = "ok";
  let failuresLeft = 0;
  const createdKeys = new Set<string>();
  const adminAnswers: AdminAnswer[] = [];
  // A stand-in for GitHub's secret-scanning keys document: set by the tests, fetched by the edge.
  let keysDocument: string | null = null;
  let keysDocumentFetches = 0;
  let keysDocumentAuthorization: string | null = null;
  const handler = (origin: "live" | "sandbox") => (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://origin.test");
    if (url.pathname === "/__webhook-mode") {
      let text = "";
      req.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      req.on("end", () => {
        const [mode, n] = text.split(" ");
        webhookMode = mode ?? "ok";
        failuresLeft = Number(n ?? 0);
        res.end("ok");
      });
      return;
    }
    if (url.pathname === "/__webhooks") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(webhooks));
      return;
    }
    if (url.pathname === "/__webhook") {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        let status = 204;
        if (webhookMode === "slow")
          status = 0; // no answer at all
        else if (webhookMode === "down") status = 503;
        else if (webhookMode === "fail" && failuresLeft > 0) {
          failuresLeft--;
          status = 500;
        }
        webhooks.push({ headers: req.headers, body, status });
        if (webhookMode === "slow") {
          setTimeout(() => res.destroy(), 12_000);
          return;
        }
        res.writeHead(status);
        res.end();
      });
      return;
    }
    if (url.pathname === "/__created-key") {
      createdKeys.add(url.searchParams.get("key") ?? "");
      res.end("ok");
      return;
    }
    if (url.pathname === "/__admin-answer") {
      let text = "";
      req.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      req.on("end", () => {
        adminAnswers.push(JSON.parse(text) as AdminAnswer);
        res.end("ok");
      });
      return;
    }
    if (url.pathname === "/__github-keys") {
      if (req.method === "PUT") {
        let text = "";
        req.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        req.on("end", () => {
          keysDocument = text === "down" ? null : text;
          keysDocumentFetches = 0;
          res.end("ok");
        });
        return;
      }
      if (url.searchParams.has("fetches")) {
        res.end(String(keysDocumentFetches));
        return;
      }
      if (url.searchParams.has("authorization")) {
        res.end(JSON.stringify(keysDocumentAuthorization));
        return;
      }
      keysDocumentFetches++;
      keysDocumentAuthorization = req.headers.authorization ?? null;
      if (keysDocument === "hang") {
        // No answer for longer than the edge waits (5 s); then the socket closes.
        setTimeout(() => res.destroy(), 8_000);
        return;
      }
      if (keysDocument === null) {
        res.writeHead(503);
        res.end("down");
        return;
      }
      res.setHeader("content-type", "application/json");
      res.end(keysDocument);
      return;
    }
    if (url.pathname === "/__received") {
      const contains = url.searchParams.get("contains") ?? "";
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(received.filter((r) => r.url.includes(contains))));
      return;
    }
    const hash = createHash("sha256");
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    req.on("end", () => {
      const entry: ReceivedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        path: url.pathname,
        query: url.search,
        headers: req.headers,
        bodyBytes: bytes,
        bodySha256: hash.digest("hex"),
        origin,
      };
      received.push(entry);
      const behave = url.searchParams.get("behave");
      if (behave === "stall") {
        setTimeout(() => res.end("late"), Number(url.searchParams.get("ms") ?? "5000"));
        return;
      }
      if (behave === "redirect") {
        res.writeHead(302, { location: "https://example.com/elsewhere", "x-origin": "yes" });
        res.end();
        return;
      }
      res.writeHead(200, {
        "content-type": "application/json",
        "x-neariq-request-id": "origin-chose-this",
        "x-origin": "yes",
        ...(behave === "ratelimit" ? { ratelimit: '"origin";r=1;t=1', "ratelimit-policy": '"origin";q=2;w=1' } : {}),
      });
      res.end(JSON.stringify(entry));
    });
  };
  const server = createServer(handler("live"));
  const sandbox = createServer(handler("sandbox"));
  return new Promise((resolve) =>
    server.listen(port, "127.0.0.1", () =>
      sandbox.listen(sandboxPort, "127.0.0.1", () => resolve({ server, sandbox, received, createdKeys, adminAnswers })),
    ),
  );
}

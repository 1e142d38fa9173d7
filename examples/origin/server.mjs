/**
 * The example origin: a small Node HTTP server (127.0.0.1:8788) that shows what it received from
 * the edge. It trusts nothing it cannot verify: every request must carry a valid
 * X-NearIQ-Auth-Assertion for exactly this method and path, else it answers 401.
 *
 *   EDGE_URL   the edge, whose /.well-known/jwks.json it verifies against (http://127.0.0.1:8787)
 *   AUDIENCE   the `aud` it expects (default: its own origin, as the edge's default)
 *   PORT, HOST where it listens (8788, 127.0.0.1)
 *   ORIGIN_MODE `live` (default), or `test`: the sandbox origin of test keys (127.0.0.1:8790 under
 *              `npm run dev`), which accepts only test assertions and answers with made-up data
 */
import { createServer } from "node:http";
import { AssertionError, createVerifier } from "@neariq/edge-verify";

const port = Number(process.env.PORT ?? 8788);
const host = process.env.HOST ?? "127.0.0.1";
const edgeUrl = process.env.EDGE_URL ?? "http://127.0.0.1:8787";
const audience = process.env.AUDIENCE ?? `http://${host}:${port}`;

const mode = process.env.ORIGIN_MODE === "test" ? "test" : "live";
// A live origin refuses test assertions (the verifier's default); the sandbox refuses live ones.
const verify = createVerifier({ jwksUrl: new URL("/.well-known/jwks.json", edgeUrl), audience, mode });

/** Made-up but plausible data, so that an integration can be tried end to end against the sandbox. */
const SANDBOX_DATA = {
  competitors: [
    { id: "cmp_test_1", name: "Bluebonnet Coffee Co.", city: "austin", rating: 4.6, reviews: 812 },
    { id: "cmp_test_2", name: "Lone Star Roasters", city: "austin", rating: 4.4, reviews: 1290 },
    { id: "cmp_test_3", name: "South Congress Espresso", city: "austin", rating: 4.7, reviews: 455 },
  ],
  note: "Sandbox data for test keys: made up, never a real business.",
};

function send(res, status, body) {
  res.writeHead(status, { "content-type": status === 200 ? "application/json" : "application/problem+json" });
  res.end(`${JSON.stringify(body, null, 2)}\n`);
}

const server = createServer(async (req, res) => {
  let bodyBytes = 0;
  for await (const chunk of req) bodyBytes += chunk.length;
  try {
    const claims = await verify(req);
    const url = new URL(req.url ?? "/", "http://origin.local");
    const neariqHeaders = Object.fromEntries(
      Object.entries(req.headers).filter(
        ([name]) => name.startsWith("x-neariq-") && name !== "x-neariq-auth-assertion",
      ),
    );
    send(res, 200, {
      received: {
        method: req.method,
        path: url.pathname,
        query: url.search,
        body_bytes: bodyBytes,
        headers: neariqHeaders,
      },
      verified_assertion: claims,
      ...(mode === "test" ? { sandbox: SANDBOX_DATA } : {}),
    });
  } catch (error) {
    const code = error instanceof AssertionError ? error.code : "invalid_assertion";
    send(res, 401, { title: "Unauthorized", status: 401, detail: "A valid NearIQ assertion is required.", code });
  }
});

server.listen(port, host, () => {
  console.log(
    `${mode === "test" ? "sandbox" : "example"} origin on http://${host}:${port} (verifying ${mode} assertions against ${edgeUrl}/.well-known/jwks.json, aud ${audience})`,
  );
});

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));

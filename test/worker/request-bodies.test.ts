/**
 * Bodies the edge does not use (docs/api.md#our-choices-where-the-rules-are-silent): drained for at
 * most 5 s and 16 MiB before the answer, with `Connection: close` when one had to be given up.
 */
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, edge, newAccount, problemOf, sleep } from "./helpers";

describe("bodies the edge does not use (drained for at most 5 s and 16 MiB)", () => {
  function countingBody(total: number, chunk = 1 << 20) {
    const state = { pulled: 0 };
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (state.pulled >= total) return controller.close();
        const size = Math.min(chunk, total - state.pulled);
        state.pulled += size;
        controller.enqueue(new Uint8Array(size));
      },
    });
    return { stream, state };
  }

  it("a 17 MiB body to /v1 without a key: 401 with Connection: close, and the next request is served", async () => {
    const { stream } = countingBody(17 * 1024 * 1024);
    const res = await edge("/v1/competitors", { method: "POST", body: stream });
    expect(res.status).toBe(401);
    expect(res.headers.get("connection")).toBe("close");
    expect((await problemOf(res)).code).toBe("missing_key");
    expect((await edge("/healthz")).status).toBe(200);
  });

  it("a body within the bounds is read to its end, and the answer keeps the connection", async () => {
    const { stream, state } = countingBody(3 * 1024 * 1024);
    const res = await edge("/v1/competitors", { method: "POST", body: stream });
    expect(res.status).toBe(401);
    expect(res.headers.get("connection")).toBeNull();
    expect(state.pulled).toBe(3 * 1024 * 1024);
  });

  it("a streamed admin body over 64 KiB: 413, and the rest of the body is read, not left waiting", async () => {
    const accountId = await newAccount();
    const { stream, state } = countingBody(2 * 1024 * 1024, 16 * 1024);
    const res = await edge(`/_admin/accounts/${accountId}/keys`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: stream,
    });
    expect(res.status).toBe(413);
    expect((await problemOf(res)).code).toBe("payload_too_large");
    expect(res.headers.get("connection")).toBeNull();
    expect(state.pulled).toBe(2 * 1024 * 1024);
  });

  it("a body that trickles is given up after 5 s: the answer carries Connection: close", async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await sleep(500);
        sent++;
        controller.enqueue(new Uint8Array([120]));
      },
    });
    const started = Date.now();
    const res = await edge("/v1/competitors", { method: "POST", body: stream });
    const took = Date.now() - started;
    expect(res.status).toBe(401);
    expect(res.headers.get("connection")).toBe("close");
    expect(took).toBeGreaterThanOrEqual(4_900);
    expect(took).toBeLessThan(9_000);
    expect(sent).toBeGreaterThan(0);
    expect((await edge("/healthz")).status).toBe(200);
  }, 15_000);
});

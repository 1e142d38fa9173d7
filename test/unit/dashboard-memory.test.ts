/**
 * Settings → API keeps its memory bounded against anyone without a session: bodies up to 64 KiB
 * (declared or streamed), sessions that expire when idle (30 min) and at most 12 h after sign-in,
 * at most 1,000 sessions, and a sign-in form's token good for one sign-in.
 */
import { describe, expect, it } from "vitest";
import type { AdminClient } from "../../examples/dashboard/admin-client";
import { createDashboardApp } from "../../examples/dashboard/app";

const ORIGIN = "http://127.0.0.1:8789";

function setUp() {
  let now = Date.UTC(2026, 11, 1, 9, 0, 0);
  const account = { account_id: "demo-pro", plan: "pro" as const, limits: { per_minute: 600, per_day: 100_000 } };
  const nothing = () => Promise.reject(new Error("not called in these tests"));
  // A stand-in for the edge's admin API: only what signing in and showing the page ask.
  const admin: AdminClient = {
    getAccount: async () => account,
    putAccount: async () => account,
    listKeys: async () => [],
    usage: async () => ({
      account_id: "demo-pro",
      key_id: null,
      granularity: "hour",
      from: "2026-12-01T00:00:00.000Z",
      to: "2026-12-01T01:00:00.000Z",
      buckets: [],
      totals: { admitted: 0, refused: {}, test: { admitted: 0, refused: {} } },
      keys: [],
    }),
    createKey: nothing,
    rollKey: nothing,
    revokeKey: nothing,
  };
  const app = createDashboardApp(admin, ORIGIN, () => now);
  return {
    app,
    advance(ms: number) {
      now += ms;
    },
  };
}

type App = ReturnType<typeof setUp>["app"];

async function signInForm(app: App): Promise<{ csrf: string; cookie: string }> {
  const res = await app.request("/signin");
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await res.text())?.[1] as string;
  return { csrf, cookie };
}

function postSignIn(app: App, form: { csrf: string; cookie: string }) {
  return app.request("/signin", {
    method: "POST",
    headers: { Origin: ORIGIN, Cookie: form.cookie, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf: form.csrf, account: "demo-pro" }).toString(),
  });
}

async function signIn(app: App): Promise<string> {
  const res = await postSignIn(app, await signInForm(app));
  expect(res.status).toBe(303);
  return (res.headers.get("set-cookie") ?? "").split(";")[0] as string;
}

async function settingsStatus(app: App, cookie: string): Promise<number> {
  return (await app.request("/settings/api", { headers: { Cookie: cookie } })).status;
}

describe("request bodies", () => {
  it("over 64 KiB are refused with 413, declared or streamed, before sign-in", async () => {
    const { app } = setUp();
    const big = "a".repeat(64 * 1024 + 1);
    const declared = await app.request("/signin", {
      method: "POST",
      headers: { Origin: ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
      body: big,
    });
    expect(declared.status).toBe(413);
    const streamed = await app.request("/signin", {
      method: "POST",
      headers: { Origin: ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 80; i++) controller.enqueue(new TextEncoder().encode("b".repeat(1024)));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });
});

describe("sign-in tokens", () => {
  it("are good for one sign-in: the same form posted again is refused", async () => {
    const { app } = setUp();
    const form = await signInForm(app);
    expect((await postSignIn(app, form)).status).toBe(303);
    const again = await postSignIn(app, form);
    expect(again.status).toBe(403);
    expect(await again.text()).toBe("The sign-in form expired; please reload it.");
  });

  it("expire after 10 minutes", async () => {
    const { app, advance } = setUp();
    const form = await signInForm(app);
    advance(10 * 60 * 1000);
    expect((await postSignIn(app, form)).status).toBe(403);
  });
});

describe("sessions", () => {
  it("expire after 30 minutes idle; use keeps them alive", async () => {
    const { app, advance } = setUp();
    const cookie = await signIn(app);
    advance(29 * 60 * 1000);
    expect(await settingsStatus(app, cookie)).toBe(200);
    advance(29 * 60 * 1000);
    expect(await settingsStatus(app, cookie)).toBe(200);
    advance(30 * 60 * 1000);
    expect(await settingsStatus(app, cookie)).toBe(302);
  });

  it("expire 12 hours after sign-in however busy", async () => {
    const { app, advance } = setUp();
    const cookie = await signIn(app);
    for (let i = 0; i < 24; i++) {
      advance(29 * 60 * 1000);
      expect(await settingsStatus(app, cookie)).toBe(200);
    }
    advance(12 * 60 * 1000); // 24 × 29 + 12 = 708 min: within 12 h
    expect(await settingsStatus(app, cookie)).toBe(200);
    advance(13 * 60 * 1000); // 721 min
    expect(await settingsStatus(app, cookie)).toBe(302);
  });

  it("at most 1,000 are kept: the oldest goes first", async () => {
    const { app } = setUp();
    const first = await signIn(app);
    let last = first;
    for (let i = 0; i < 1_000; i++) last = await signIn(app);
    expect(await settingsStatus(app, first)).toBe(302);
    expect(await settingsStatus(app, last)).toBe(200);
  }, 30_000);
});

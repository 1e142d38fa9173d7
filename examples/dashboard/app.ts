/**
 * @module
 * Settings → API, the key-management page the docs describe: a small stand-in for the NearIQ
 * dashboard backend, and a reference for building the real one. It holds `ADMIN_TOKEN` and calls
 * the edge's admin API; the browser only ever talks to this server.
 *
 * Security: a session cookie (HttpOnly, SameSite=Strict); a CSRF token on every state-changing
 * request (in a header for the page's calls, in the form for sign-in and sign-out), and the
 * `Origin` checked; a Content-Security-Policy without inline script; the new key only in the
 * answer that creates it, never in a URL, a log line or storage. Bounded memory: bodies up to
 * 64 KiB, sessions that expire and are capped, sign-in tokens good for one use (./sessions.ts).
 */
import { readFileSync } from "node:fs";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { type AdminClient, AdminError } from "./admin-client";
import { NotificationInbox, noticeFor } from "./notifications";
import { type Session, SessionStore, SignInTokens } from "./sessions";
import type { UsageRange } from "./usage-chart";
import { keysTable, settingsPage, signInPage } from "./views";

export const DEMO_ACCOUNTS: Record<string, "starter" | "pro" | "agency"> = {
  "demo-pro": "pro",
  "demo-starter": "starter",
};

const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  // same-origin, not no-referrer: with no-referrer, Chromium sends `Origin: null` on same-origin form posts.
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
};

const STATIC = new URL("./public/", import.meta.url);
const GRACE_SECONDS = new Set([0, 3600, 86_400, 604_800]);

/** Where the edge delivers events (`EVENTS_WEBHOOK_URL` points here under `npm run dev`). */
export const WEBHOOK_PATH = "/webhooks/neariq";

/** The most a request body may hold: nothing the page sends comes near it. */
export const MAX_BODY_BYTES = 64 * 1024;

type Env = { Variables: { session: Session } };

export function createDashboardApp(
  admin: AdminClient,
  origin: string,
  now: () => number = Date.now,
  webhookSecret: string | undefined = undefined,
) {
  const sessions = new SessionStore(now);
  const inbox = new NotificationInbox(webhookSecret);
  const signInTokens = new SignInTokens(now);
  const app = new Hono<Env>();

  app.use("*", async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });

  // A body is read only up to 64 KiB, whether its length is declared or streamed.
  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.text("That request is too large.", 413),
    }),
  );

  // The edge's webhook deliveries: believed only once their Standard Webhooks signature verifies
  // (no session, no CSRF token: the signature is the credential). Repeats are answered 2xx and dropped.
  app.post(WEBHOOK_PATH, async (c) => {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const receipt = inbox.receive(await c.req.text(), headers);
    if (receipt === "unverified") return c.text("The signature does not verify.", 401);
    return c.body(null, 204);
  });

  // Every state-changing request: from this origin only (a browser always sends Origin on a POST).
  app.use("*", async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && c.req.header("origin") !== origin) {
      return c.text("Cross-site requests are not allowed.", 403);
    }
    await next();
  });

  app.get("/static/:file{app\\.js|style\\.css|favicon\\.svg}", (c) => {
    const file = c.req.param("file");
    const type = file.endsWith(".js")
      ? "text/javascript; charset=utf-8"
      : file.endsWith(".svg")
        ? "image/svg+xml"
        : "text/css; charset=utf-8";
    return c.body(readFileSync(new URL(file, STATIC)), 200, { "Content-Type": type });
  });

  const sessionOf = (c: Context<Env>) => sessions.find(getCookie(c, "sid"));

  app.get("/", (c) => c.redirect(sessionOf(c) ? "/settings/api" : "/signin"));

  app.get("/signin", (c) => {
    const csrf = signInTokens.issue();
    setCookie(c, "signin_csrf", csrf, { httpOnly: true, sameSite: "Strict", path: "/signin" });
    return c.html(signInPage(Object.keys(DEMO_ACCOUNTS), csrf));
  });

  app.post("/signin", async (c) => {
    const form = await c.req.parseBody();
    const expected = getCookie(c, "signin_csrf");
    // The form's token must match its cookie and is good for one sign-in.
    if (!expected || form.csrf !== expected || !signInTokens.redeem(expected)) {
      return c.text("The sign-in form expired; please reload it.", 403);
    }
    const accountId = String(form.account ?? "");
    const plan = DEMO_ACCOUNTS[accountId];
    if (!plan) return c.text("Unknown demo account.", 400);
    try {
      await admin.getAccount(accountId);
    } catch (error) {
      if (!(error instanceof AdminError) || error.code !== "unknown_account") throw error;
      await admin.putAccount(accountId, plan);
    }
    const id = sessions.open(accountId);
    setCookie(c, "sid", id, { httpOnly: true, sameSite: "Strict", path: "/" });
    return c.redirect("/settings/api", 303);
  });

  const requireSession = createMiddleware<Env>(async (c, next) => {
    const session = sessionOf(c);
    if (!session) {
      return c.req.method === "GET" ? c.redirect("/signin") : c.json({ message: "Please sign in again." }, 401);
    }
    c.set("session", session);
    await next();
  });

  /** State-changing calls of the page: the session's CSRF token in `X-CSRF-Token`, JSON bodies only. */
  const requireCsrf = createMiddleware<Env>(async (c, next) => {
    if (c.req.header("x-csrf-token") !== c.var.session.csrf) {
      return c.json({ message: "This page has expired; please reload it." }, 403);
    }
    await next();
  });

  app.post("/signout", requireSession, async (c) => {
    const form = await c.req.parseBody();
    if (form.csrf !== c.var.session.csrf) return c.text("This page has expired; please reload it.", 403);
    sessions.close(getCookie(c, "sid"));
    setCookie(c, "sid", "", { httpOnly: true, sameSite: "Strict", path: "/", maxAge: 0 });
    return c.redirect("/signin", 303);
  });

  const keysOf = async (accountId: string) => admin.listKeys(accountId);

  /** The account's usage for the chart (the last 24 hours by hour, or 30 days by day) and each key's requests in it. */
  const usageOf = async (accountId: string, range: UsageRange) => {
    const usage = await admin.usage(accountId, range === "24h" ? "hour" : "day");
    const requests = new Map(
      (usage.keys ?? []).map((k) => [k.key_id, k.admitted + Object.values(k.refused).reduce((a, n) => a + n, 0)]),
    );
    return { buckets: usage.buckets, requests };
  };

  app.get("/settings/api", requireSession, async (c) => {
    const { accountId, csrf } = c.var.session;
    const range: UsageRange = c.req.query("range") === "30d" ? "30d" : "24h";
    const [account, keys, usage, daily] = await Promise.all([
      admin.getAccount(accountId),
      keysOf(accountId),
      usageOf(accountId, range),
      range === "24h" ? null : usageOf(accountId, "24h"),
    ]);
    const names = new Map(keys.map((k) => [k.id, k.name]));
    const notices = inbox.of(accountId).map((event) => noticeFor(event, names, now()));
    return c.html(
      settingsPage(account, keys, csrf, {
        usage: { range, buckets: usage.buckets },
        requests: (daily ?? usage).requests,
        notices,
      }),
    );
  });

  app.get("/settings/api/keys-table", requireSession, async (c) => {
    const { accountId } = c.var.session;
    const [keys, usage] = await Promise.all([keysOf(accountId), usageOf(accountId, "24h")]);
    return c.html(keysTable(keys, usage.requests));
  });

  app.post("/settings/api/keys", requireSession, requireCsrf, async (c) => {
    const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body) return c.json({ message: "The request could not be read." }, 400);
    // Passed on as the page sent them: the admin API judges them, and its refusals read as sentences.
    type NewKeyScopes = Parameters<AdminClient["createKey"]>[1]["scopes"];
    const created = await admin.createKey(c.var.session.accountId, {
      name: body.name as string | undefined,
      scopes: body.scopes as NewKeyScopes,
      expires_at: body.expires_at as string | undefined,
      rate_limit_per_minute: body.rate_limit_per_minute as number | undefined,
      allowed_ips: body.allowed_ips as string[] | undefined,
      mode: body.mode === "test" ? "test" : "live",
    });
    return c.json({ id: created.id, key: created.key }, 201);
  });

  app.post("/settings/api/keys/:id/roll", requireSession, requireCsrf, async (c) => {
    const body = (await c.req.json().catch(() => null)) as { grace_seconds?: unknown; expires_at?: unknown } | null;
    const grace = Number(body?.grace_seconds);
    if (!GRACE_SECONDS.has(grace)) return c.json({ message: "Choose when the old key stops." }, 400);
    const keyId = c.req.param("id"); // openapi-fetch encodes path parameters
    const rolled = await admin.rollKey(c.var.session.accountId, keyId, {
      grace_seconds: grace,
      expires_at: typeof body?.expires_at === "string" ? body.expires_at : undefined,
    });
    return c.json({ id: rolled.id, key: rolled.key, old_key_expires_at: rolled.old_key.expires_at }, 201);
  });

  app.post("/settings/api/keys/:id/revoke", requireSession, requireCsrf, async (c) => {
    const keyId = c.req.param("id"); // openapi-fetch encodes path parameters
    await admin.revokeKey(c.var.session.accountId, keyId);
    return c.json({ revoked: true });
  });

  app.onError((error, c) => {
    if (error instanceof AdminError) return c.json({ message: error.message }, error.status >= 500 ? 503 : 400);
    // Never the request or its body in a log line: it may hold a key.
    console.error(`dashboard: ${error.name}`);
    return c.json({ message: "Something went wrong on our side." }, 500);
  });

  return app;
}

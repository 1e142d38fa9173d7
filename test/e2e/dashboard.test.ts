/**
 * Settings → API in a real browser (Debian's Chromium, driven by playwright-core), against the
 * running edge (`wrangler dev`), the example origin and the dashboard: sign in, generate, roll,
 * revoke, and a cross-site form post refused. Screenshots of each state land in .e2e/screenshots.
 */
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDashboard } from "../../scripts/build-dashboard.mjs";
import { freshDevVars } from "../../scripts/dev-vars.mjs";
import { ensureChromium } from "../support/chromium";
import { DevStack } from "../support/dev-stack";

const EDGE_PORT = 38787;
const ORIGIN_PORT = 38788;
const DASHBOARD_PORT = 38789;
const ATTACKER_PORT = 38790;
const EDGE = `http://127.0.0.1:${EDGE_PORT}`;
const DASHBOARD = `http://127.0.0.1:${DASHBOARD_PORT}`;
const SHOTS = ".e2e/screenshots";

const stack = new DevStack();
let secrets: { ADMIN_TOKEN: string; ASSERTION_PRIVATE_JWK: string };
let browser: Browser;
let page: Page;
let attacker: Server;
const shown: string[] = [];

async function call(key: string, path = "/v1/competitors") {
  const res = await fetch(`${EDGE}${path}`, { headers: { "X-NearIQ-Key": key } });
  const body = (await res.json()) as { code?: string };
  return { status: res.status, code: body.code };
}

async function keyCount(): Promise<number> {
  const res = await fetch(`${EDGE}/_admin/accounts/demo-pro/keys`, {
    headers: { Authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
  });
  return ((await res.json()) as { keys: unknown[] }).keys.length;
}

/** The key the one-time dialog shows, after it opened. */
async function keyFromDialog(): Promise<string> {
  await page.locator("#new-key[open]").waitFor();
  const key = (await page.locator("#new-key-value").textContent()) ?? "";
  shown.push(key);
  return key;
}

async function expectKeyGoneFromPage(key: string) {
  expect(await page.content()).not.toContain(key);
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie);
  expect(storage).not.toContain(key);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  secrets = await freshDevVars(`http://127.0.0.1:${ORIGIN_PORT}`);
  stack.startEdge(EDGE_PORT, 39229, {
    ADMIN_TOKEN: secrets.ADMIN_TOKEN,
    ASSERTION_PRIVATE_JWK: secrets.ASSERTION_PRIVATE_JWK,
    ORIGIN_URL: `http://127.0.0.1:${ORIGIN_PORT}`,
    AUTH_LEASE_MS: "300",
  });
  stack.start(process.execPath, ["examples/origin/server.mjs"], { PORT: String(ORIGIN_PORT), EDGE_URL: EDGE });
  stack.start(process.execPath, [buildDashboard(".e2e/dashboard")], {
    PORT: String(DASHBOARD_PORT),
    EDGE_URL: EDGE,
    ADMIN_TOKEN: secrets.ADMIN_TOKEN,
  });
  // Another origin that posts a form to the dashboard, as a cross-site attacker's page would.
  attacker = createServer((_, res) => {
    res.setHeader("content-type", "text/html");
    res.end(`<form id="f" method="post" action="${DASHBOARD}/settings/api/keys">
      <input name="name" value="attacker"></form>`);
  });
  await new Promise<void>((resolve) => attacker.listen(ATTACKER_PORT, "127.0.0.1", resolve));
  await stack.waitFor(`${EDGE}/healthz`, 45_000);
  await stack.waitFor(`${DASHBOARD}/signin`, 15_000);
  browser = await chromium.launch({
    executablePath: ensureChromium(),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  attacker?.close();
  stack.stop();
});

describe("Settings → API in a browser", () => {
  let first = "";
  let rolled = "";

  it("signs in and shows the plan, the limits and an empty keys table, under a strict CSP", async () => {
    const res = await page.goto(`${DASHBOARD}/`);
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.selectOption("#account", "demo-pro");
    await page.click("text=Sign in");
    await page.waitForURL(`${DASHBOARD}/settings/api`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Settings → API");
    expect(await page.locator("main p").first().textContent()).toContain("600 requests per minute");
    const cookie = (await page.context().cookies()).find((c) => c.name === "sid");
    expect([cookie?.httpOnly, cookie?.sameSite]).toEqual([true, "Strict"]);
    // No inline script anywhere: every <script> has a src.
    expect(await page.locator("script:not([src])").count()).toBe(0);
    // The default read-only set is pre-checked; scopes the plan lacks are marked.
    const checked = await page
      .locator('input[name="scopes"]:checked')
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(checked.sort()).toEqual(["alerts:read", "competitors:read", "usage:read"]);
    expect(await page.locator(".not-in-plan").allTextContents()).toEqual([
      expect.stringContaining("payments:write"),
      expect.stringContaining("contacts:write"),
    ]);
    await page.screenshot({ path: `${SHOTS}/1-signed-in.png`, fullPage: true });
  }, 30_000);

  it("generates a key: shown once in a dialog, with focus inside; the edge accepts it", async () => {
    await page.fill("#name", "browser test");
    await page.click("#generate-button");
    first = await keyFromDialog();
    expect(first).toMatch(/^niq_live_[0-9A-Za-z]{38}$/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("copy-key");
    await page.screenshot({ path: `${SHOTS}/2-new-key-dialog.png` });
    expect(await call(first)).toEqual({ status: 200, code: undefined });
  }, 30_000);

  it("after the dialog closes and the page reloads, the key is nowhere in the page or its storage", async () => {
    await page.click("#close-key");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("generate-button");
    await expectKeyGoneFromPage(first);
    await page.reload();
    await expectKeyGoneFromPage(first);
    expect(await page.locator("#keys-table tbody tr").count()).toBe(1);
    await page.locator("#keys-table").screenshot({ path: `${SHOTS}/3-keys-table.png` });
  }, 30_000);

  it("rolls with grace 'now': the old key gets 401 expired_key, the new one works", async () => {
    const row = page.locator("#keys-table tbody tr").first();
    await row.locator("select").selectOption("0");
    await row.locator("form.roll button").click();
    rolled = await keyFromDialog();
    expect(rolled).not.toBe(first);
    await page.click("#close-key");
    await expectKeyGoneFromPage(rolled);
    expect(await call(first)).toEqual({ status: 401, code: "expired_key" });
    expect(await call(rolled)).toEqual({ status: 200, code: undefined });
    await page.locator("#keys-table").screenshot({ path: `${SHOTS}/4-rolled.png` });
  }, 30_000);

  it("revokes after a confirmation: the row turns revoked and the edge answers 401 revoked_key", async () => {
    page.once("dialog", (dialog) => dialog.accept());
    const row = page.locator(`#keys-table tbody tr[data-status="active"]`);
    await row.locator("button.revoke").click();
    await page.locator('#keys-table tbody tr[data-status="revoked"]').waitFor();
    expect(await page.locator("#message").textContent()).toContain("is revoked");
    expect(await call(rolled)).toEqual({ status: 401, code: "revoked_key" });
    await page.screenshot({ path: `${SHOTS}/5-revoked.png`, fullPage: true });
  }, 30_000);

  it("shows an error from the admin API as a sentence", async () => {
    await page.fill("#ips", "not-an-address");
    await page.click("#generate-button");
    await page.locator("#message:not([hidden])").waitFor();
    const text = (await page.locator("#message").textContent()) ?? "";
    expect(text).toMatch(/^Some of what you entered is not valid: allowed_ips/);
    expect(text).not.toContain("{");
    await page.fill("#ips", "");
  }, 30_000);

  it("refuses a cross-site form post, and a post without the page's CSRF token", async () => {
    const before = await keyCount();
    const attackPage = await browser.newPage();
    await attackPage.goto(`http://127.0.0.1:${ATTACKER_PORT}/`);
    const [answer] = await Promise.all([
      attackPage.waitForResponse((r) => r.url().startsWith(DASHBOARD)),
      attackPage.evaluate(() => (document.getElementById("f") as HTMLFormElement).submit()),
    ]);
    expect(answer.status()).toBe(403);
    await attackPage.close();
    // Same origin, signed in, but without the token: refused too.
    const status = await page.evaluate(async () => {
      const res = await fetch("/settings/api/keys", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{}",
      });
      return res.status;
    });
    expect(status).toBe(403);
    expect(await keyCount()).toBe(before);
  }, 30_000);

  it("no key reached a log line of the edge, the origin or the dashboard", () => {
    expect(shown.length).toBe(2);
    for (const key of shown) expect(stack.output).not.toContain(key);
  });
});

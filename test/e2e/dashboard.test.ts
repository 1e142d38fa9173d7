/**
 * Settings → API in a real browser (Debian's Chromium, driven by playwright-core), against the
 * running edge (`wrangler dev`), the example origin, the sandbox origin and the dashboard (which
 * receives the edge's webhooks): sign in, generate (live and test), usage in the chart's table,
 * roll, revoke in the page's own dialog, a leak report's notification, and a cross-site form post
 * refused. axe-core checks every state; screenshots of each land in .e2e/screenshots.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import AxeBuilder from "@axe-core/playwright";
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
const SANDBOX_PORT = 38791;
const KEYS_PORT = 38792;
const EDGE = `http://127.0.0.1:${EDGE_PORT}`;
const DASHBOARD = `http://127.0.0.1:${DASHBOARD_PORT}`;
const SHOTS = ".e2e/screenshots";

const stack = new DevStack();
let secrets: { ADMIN_TOKEN: string; ASSERTION_PRIVATE_JWK: string; EVENTS_WEBHOOK_SECRET: string };
let keysServer: Server;
const github = generateKeyPairSync("ec", { namedCurve: "P-256" });

/** No serious or critical axe-core violation in the page as it stands. */
async function expectAccessible(state: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    state,
  ).toEqual([]);
}
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
  // A stand-in for GitHub's keys document, for a leak report's notification.
  const pem = github.publicKey.export({ type: "spki", format: "pem" }).toString();
  keysServer = createServer((_, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ public_keys: [{ key_identifier: "e2e-gh", key: pem, is_current: true }] }));
  });
  await new Promise<void>((resolve) => keysServer.listen(KEYS_PORT, "127.0.0.1", resolve));
  stack.startEdge(EDGE_PORT, 39229, {
    ADMIN_TOKEN: secrets.ADMIN_TOKEN,
    ASSERTION_PRIVATE_JWK: secrets.ASSERTION_PRIVATE_JWK,
    ORIGIN_URL: `http://127.0.0.1:${ORIGIN_PORT}`,
    ORIGIN_TEST_URL: `http://127.0.0.1:${SANDBOX_PORT}`,
    EVENTS_WEBHOOK_URL: `${DASHBOARD}/webhooks/neariq`,
    EVENTS_WEBHOOK_SECRET: secrets.EVENTS_WEBHOOK_SECRET,
    SECRET_SCANNING_KEYS_URL: `http://127.0.0.1:${KEYS_PORT}/keys`,
    USAGE_HAND_IN_MS: "1000",
    AUTH_LEASE_MS: "300",
  });
  stack.start(process.execPath, ["examples/origin/server.mjs"], { PORT: String(ORIGIN_PORT), EDGE_URL: EDGE });
  stack.start(process.execPath, ["examples/origin/server.mjs"], {
    PORT: String(SANDBOX_PORT),
    EDGE_URL: EDGE,
    ORIGIN_MODE: "test",
  });
  stack.start(process.execPath, [buildDashboard(".e2e/dashboard")], {
    PORT: String(DASHBOARD_PORT),
    EDGE_URL: EDGE,
    ADMIN_TOKEN: secrets.ADMIN_TOKEN,
    EVENTS_WEBHOOK_SECRET: secrets.EVENTS_WEBHOOK_SECRET,
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
  // axe-core wants a page of an explicit context.
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  attacker?.close();
  keysServer?.close();
  stack.stop();
});

describe("Settings → API in a browser", () => {
  let first = "";
  let rolled = "";

  it("signs in and shows the plan, the limits and an empty keys table, under a strict CSP", async () => {
    const res = await page.goto(`${DASHBOARD}/`);
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await expectAccessible("sign-in");
    await page.screenshot({ path: `${SHOTS}/0-sign-in.png` });
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
    // The usage chart: an image named for requests, and a table captioned as usage.
    expect(await page.locator('svg[role="img"]').getAttribute("aria-labelledby")).toBe("usage-title usage-desc");
    expect(await page.locator("#usage-title").textContent()).toMatch(/^Requests per hour/);
    expect(await page.locator("#usage-table caption").textContent()).toBe("Requests per hour");
    expect(await page.locator("#usage-table tbody tr").count()).toBe(24);
    await expect(page.getByRole("region", { name: "Notifications" }).count()).resolves.toBe(1);
    await expectAccessible("signed in");
    await page.screenshot({ path: `${SHOTS}/1-signed-in.png`, fullPage: true });
  }, 30_000);

  it("generates a key: shown once in a dialog, with focus inside; the edge accepts it", async () => {
    await page.fill("#name", "browser test");
    await page.click("#generate-button");
    first = await keyFromDialog();
    expect(first).toMatch(/^niq_live_[0-9A-Za-z]{38}$/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("copy-key");
    await expectAccessible("the one-time dialog");
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

  it("traffic through the edge shows up in the chart's table and the keys table with the right number", async () => {
    for (let i = 0; i < 5; i++) expect((await call(first)).status).toBe(200);
    // 1 call in the test above and 5 here; handed in within a second (USAGE_HAND_IN_MS here).
    const hour = new Date(Date.now() - (Date.now() % 3_600_000)).toISOString();
    const until = Date.now() + 15_000;
    let admitted = "";
    while (Date.now() < until) {
      await page.reload();
      admitted = (await page.locator("#usage-table tbody tr").last().locator("td").first().textContent()) ?? "";
      if (admitted === "6") break;
      await page.waitForTimeout(500);
    }
    expect(admitted).toBe("6");
    const lastRowHeader = (await page.locator("#usage-table tbody tr").last().locator("th").textContent()) ?? "";
    expect(lastRowHeader).toBe(`${hour.slice(0, 10)} ${hour.slice(11, 16)}`);
    expect(await page.locator("#keys-table tbody tr").first().locator("td.number").getAttribute("data-requests")).toBe(
      "6",
    );
    await page.click('a[href="?range=30d"]');
    expect(await page.locator("#usage-table caption").textContent()).toBe("Requests per day");
    expect(await page.locator("#usage-table tbody tr").count()).toBe(30);
    expect(await page.locator("#usage-table tfoot td").first().textContent()).toBe("6");
    await expectAccessible("usage by day");
    await page.locator("figure.usage").screenshot({ path: `${SHOTS}/3b-usage-chart.png` });
    await page.click('a[href="?range=24h"]');
  }, 40_000);

  it("generates a test key: marked test in the table; the sandbox answers it, with made-up data", async () => {
    await page.check('input[name="mode"][value="test"]');
    await page.fill("#name", "ci");
    await page.click("#generate-button");
    const testKey = await keyFromDialog();
    expect(testKey).toMatch(/^niq_test_[0-9A-Za-z]{38}$/);
    await page.click("#close-key");
    await expectKeyGoneFromPage(testKey);
    const res = await fetch(`${EDGE}/v1/competitors`, { headers: { "X-NearIQ-Key": testKey } });
    const body = (await res.json()) as { verified_assertion: { mode: string }; sandbox?: unknown };
    expect([res.status, body.verified_assertion.mode, body.sandbox !== undefined]).toEqual([200, "test", true]);
    await page.locator('#keys-table tbody tr[data-mode="test"] .mode.test').waitFor();
    await expectAccessible("a test key in the table");
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

  it("revokes after a confirmation in the page's own dialog, naming the key; the success is a status message", async () => {
    const row = page.locator(`#keys-table tbody tr[data-status="active"][data-mode="live"]`);
    await row.locator("button.revoke").click();
    await page.locator("#confirm-revoke[open]").waitFor();
    expect(await page.locator("#confirm-revoke-text").textContent()).toMatch(
      /"browser test" \(niq_live_…[0-9A-Za-z]{4}\)/,
    );
    await expectAccessible("the revoke dialog");
    await page.click("#confirm-revoke-yes");
    await page.locator('#keys-table tbody tr[data-status="revoked"]').waitFor();
    expect(await page.locator('[role="status"]#status').textContent()).toMatch(
      /^The key "browser test" \(niq_live_…[0-9A-Za-z]{4}\) is revoked\.$/,
    );
    expect(await page.locator("#message").isHidden()).toBe(true);
    expect(await call(rolled)).toEqual({ status: 401, code: "revoked_key" });
    await expectAccessible("after a revoke");
    await page.screenshot({ path: `${SHOTS}/5-revoked.png`, fullPage: true });
  }, 30_000);

  it("a key reported leaked by GitHub: the page's Notifications say so, from a verified webhook", async () => {
    await page.fill("#name", "zapier");
    await page.check('input[name="mode"][value="live"]');
    await page.click("#generate-button");
    const leaked = await keyFromDialog();
    await page.click("#close-key");
    const body = JSON.stringify([
      { token: leaked, type: "neariq_api_key", url: "https://github.com/octo/repo/blob/main/.env", source: "content" },
    ]);
    const signature = sign("sha256", Buffer.from(body), { key: github.privateKey, dsaEncoding: "der" }).toString(
      "base64",
    );
    const res = await fetch(`${EDGE}/_partners/github/secret-scanning`, {
      method: "POST",
      body,
      headers: { "Github-Public-Key-Identifier": "e2e-gh", "Github-Public-Key-Signature": signature },
    });
    expect(res.status).toBe(200);
    const notifications = page.getByRole("region", { name: "Notifications" });
    const until = Date.now() + 15_000;
    let text = "";
    while (Date.now() < until && !text.includes("public GitHub repository")) {
      await page.reload();
      text = (await notifications.textContent()) ?? "";
      if (!text.includes("public GitHub repository")) await page.waitForTimeout(500);
    }
    expect(text).toContain(
      "Your key 'zapier' was found in a public GitHub repository and revoked. Create a new key and remove the old one from the repository.",
    );
    expect(await notifications.locator('a[href="https://github.com/octo/repo/blob/main/.env"]').count()).toBe(1);
    // An unsigned delivery is never believed.
    const forged = await fetch(`${DASHBOARD}/webhooks/neariq`, { method: "POST", body: "{}" });
    expect(forged.status).toBe(401);
    await expectAccessible("a notification");
    await page.locator("#notifications").screenshot({ path: `${SHOTS}/6-notification.png` });
  }, 40_000);

  it("shows an error from the admin API as a sentence", async () => {
    await page.fill("#ips", "not-an-address");
    await page.click("#generate-button");
    await page.locator("#message:not([hidden])").waitFor();
    const text = (await page.locator("#message").textContent()) ?? "";
    expect(text).toBe("Allowed IP addresses (line 1) must be an IPv4 or IPv6 address or CIDR block.");
    await expectAccessible("an error");
    await page.screenshot({ path: `${SHOTS}/7-error.png` });
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
    expect(shown.length).toBe(4);
    for (const key of shown) expect(stack.output).not.toContain(key);
  });
});

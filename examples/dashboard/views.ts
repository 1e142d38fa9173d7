/**
 * @module
 * The pages of Settings → API, rendered on the server. Every value is escaped by `hono/html`; no
 * inline script or style (the Content-Security-Policy allows neither): behaviour is in
 * /static/app.js, looks in /static/style.css.
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import openapi from "../../docs/openapi.json";
import type { Account, ListedKey } from "./admin-client";
import type { Notice } from "./notifications";
import { type UsageBucket, type UsageRange, usageChart } from "./usage-chart";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The scopes, the default set and each plan's scopes, as the API's own document publishes them. */
const POLICY = openapi["x-neariq-policy"] as {
  scopes: string[];
  default_scopes: string[];
  plans: Record<Account["plan"], string[]>;
};
const { scopes: SCOPES, default_scopes: DEFAULT_KEY_SCOPES, plans: PLANS } = POLICY;

function page(title: string, body: Html, csrf?: string): Html {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    ${csrf ? html`<meta name="csrf-token" content="${csrf}" />` : ""}
    <title>${title} · NearIQ</title>
    <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/static/style.css" />
    <script src="/static/app.js" defer></script>
  </head>
  <body>
    ${body}
  </body>
</html>`;
}

export function signInPage(accounts: readonly string[], csrf: string, error?: string): Html {
  return page(
    "Sign in",
    html`<main class="narrow">
      <h1>NearIQ dashboard</h1>
      <p>A development sign-in: pick a demo account.</p>
      ${error ? html`<p class="error" role="alert">${error}</p>` : ""}
      <form method="post" action="/signin">
        <input type="hidden" name="csrf" value="${csrf}" />
        <label for="account">Account</label>
        <select id="account" name="account">
          ${accounts.map((a) => html`<option value="${a}">${a}</option>`)}
        </select>
        <button type="submit">Sign in</button>
      </form>
    </main>`,
  );
}

const dateText = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") + " UTC" : "—");
const dayFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
/** "1 Mar 2027" */
export const dayText = (iso: string) => dayFormat.format(new Date(iso));

/** A key's expiry is worth a warning this close to it, as `key.expiring` is recorded. */
const EXPIRING_WITHIN_MS = 7 * 86_400_000;

/** active, expiring (within 7 days), expired, revoked, or leaked. */
export function statusOf(key: ListedKey, now = Date.now()): string {
  if (key.revoked_reason === "leaked") return "leaked";
  if (key.revoked_at) return "revoked";
  if (key.expires_at && Date.parse(key.expires_at) <= now) return "expired";
  if (key.expires_at && Date.parse(key.expires_at) - now <= EXPIRING_WITHIN_MS) return "expiring";
  return "active";
}

/** What the Expires column says: "never", "expires 1 Mar 2027", or "expired 1 Mar 2027". */
function expiryText(key: ListedKey, now = Date.now()): string {
  if (!key.expires_at) return "never";
  return `${Date.parse(key.expires_at) <= now ? "expired" : "expires"} ${dayText(key.expires_at)}`;
}

/** The expiry a roll gives the new key when the form names none: the old key's lifetime from now. */
function rolledExpiryText(key: ListedKey, now = Date.now()): string {
  if (!key.expires_at) return "never expires";
  const lifetime = Date.parse(key.expires_at) - Date.parse(key.created_at);
  return `expires ${dayText(new Date(now + lifetime).toISOString())} (the same lifetime)`;
}

const GRACES: [string, string][] = [
  ["0", "now"],
  ["3600", "in 1 hour"],
  ["86400", "in 24 hours"],
  ["604800", "in 7 days"],
];

export function keysTable(keys: readonly ListedKey[], requests: ReadonlyMap<string, number> = new Map()): Html {
  if (keys.length === 0) return html`<p id="keys-table">No keys yet.</p>`;
  return html`<table id="keys-table">
    <caption>
      API keys
    </caption>
    <thead>
      <tr>
        <th scope="col">Name</th>
        <th scope="col">Key</th>
        <th scope="col">Scopes</th>
        <th scope="col">Rate limit</th>
        <th scope="col">Allowed IPs</th>
        <th scope="col">Requests (24 h)</th>
        <th scope="col">Created</th>
        <th scope="col">Last used</th>
        <th scope="col">Expires</th>
        <th scope="col">Status</th>
        <th scope="col">Actions</th>
      </tr>
    </thead>
    <tbody>
      ${keys.map((key) => {
        const status = statusOf(key);
        const usable = status === "active" || status === "expiring";
        const name = key.name ?? "—";
        return html`<tr id="${key.id}" data-status="${status}" data-mode="${key.mode}">
          <th scope="row">${name}${key.mode === "test" ? html` <span class="mode test">test</span>` : ""}</th>
          <td><code>${key.hint}</code></td>
          <td>${key.scopes.join(", ")}</td>
          <td>${key.rate_limit_per_minute === null ? "account's" : `${key.rate_limit_per_minute.toLocaleString("en-US")} / min`}</td>
          <td>${key.allowed_ips === null ? "any" : key.allowed_ips.join(", ")}</td>
          <td class="number" data-requests="${requests.get(key.id) ?? 0}">${(requests.get(key.id) ?? 0).toLocaleString("en-US")}</td>
          <td>${dateText(key.created_at)}</td>
          <td>${dateText(key.last_used_at)}</td>
          <td>${expiryText(key)}</td>
          <td>
            <span class="status ${status}">${status}</span>
            ${key.rolled_from ? html`<br /><a href="#${key.rolled_from}">rolled from ${key.rolled_from}</a>` : ""}
            ${key.rolled_to ? html`<br /><a href="#${key.rolled_to}">rolled to ${key.rolled_to}</a>` : ""}
          </td>
          <td>
            ${
              usable && !key.rolled_to
                ? html`<form class="roll" data-key-id="${key.id}">
                      <label for="grace-${key.id}">Old key stops</label>
                      <select id="grace-${key.id}" name="grace">
                        ${GRACES.map(([value, label]) => html`<option value="${value}" ${value === "86400" ? "selected" : ""}>${label}</option>`)}
                      </select>
                      <label for="roll-expires-${key.id}">New key expires (optional, UTC)</label>
                      <input id="roll-expires-${key.id}" name="expires" type="datetime-local" aria-describedby="roll-note-${key.id}" />
                      <p class="hint" id="roll-note-${key.id}">Left empty: the new key ${rolledExpiryText(key)}.</p>
                      <button type="submit">Roll</button>
                    </form>`
                : ""
            }
            ${
              usable
                ? html`<button type="button" class="revoke" data-key-id="${key.id}" data-key-name="${name}" data-key-hint="${key.hint}">
                    Revoke
                  </button>`
                : ""
            }
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

/** What the page shows besides the keys: usage and notifications. */
export interface PageExtras {
  readonly usage: { range: UsageRange; buckets: UsageBucket[] };
  readonly requests: ReadonlyMap<string, number>;
  readonly notices: readonly Notice[];
}

function notificationsRegion(notices: readonly Notice[]): Html {
  return html`<section aria-labelledby="notifications-heading" class="card">
    <h2 id="notifications-heading">Notifications</h2>
    ${
      notices.length === 0
        ? html`<p id="notifications">Nothing new: events about your keys appear here.</p>`
        : html`<ul id="notifications">
            ${notices.map(
              (n) => html`<li>
                <time datetime="${n.at}">${dateText(n.at)}</time>
                ${n.text}
                ${n.link ? html`<a href="${n.link}" rel="noopener noreferrer">Where it was found</a>` : ""}
              </li>`,
            )}
          </ul>`
    }
  </section>`;
}

function usageRegion(usage: PageExtras["usage"]): Html {
  const link = (range: UsageRange, label: string) =>
    usage.range === range
      ? html`<a href="?range=${range}" aria-current="page">${label}</a>`
      : html`<a href="?range=${range}">${label}</a>`;
  return html`<section aria-labelledby="usage-heading" class="card">
    <h2 id="usage-heading">Usage</h2>
    <nav aria-label="Usage period" class="switch">${link("24h", "Last 24 hours")} ${link("30d", "Last 30 days")}</nav>
    ${usageChart(usage.buckets, usage.range)}
  </section>`;
}

export function settingsPage(account: Account, keys: readonly ListedKey[], csrf: string, extras: PageExtras): Html {
  const planScopes: readonly string[] = PLANS[account.plan];
  const limit = (n: number | null) => (n === null ? "no limit" : n.toLocaleString("en-US"));
  return page(
    "Settings → API",
    html`<header>
        <span>Signed in as <strong>${account.account_id}</strong></span>
        <form method="post" action="/signout" class="inline">
          <input type="hidden" name="csrf" value="${csrf}" />
          <button type="submit">Sign out</button>
        </form>
      </header>
      <main>
        <h1>Settings → API</h1>
        <p>
          Plan <strong>${account.plan}</strong>: ${limit(account.limits.per_minute)} requests per minute,
          ${limit(account.limits.per_day)} per day.
        </p>
        <p id="message" role="alert" class="error" hidden></p>
        <p id="status" role="status" class="success"></p>
        ${notificationsRegion(extras.notices)}
        ${usageRegion(extras.usage)}
        <section aria-labelledby="keys-heading" class="card">
          <h2 id="keys-heading">Keys</h2>
          <div id="keys" class="scroll" tabindex="0" role="region" aria-label="API keys, scrollable">${keysTable(keys, extras.requests)}</div>
        </section>
        <section aria-labelledby="generate-heading" class="card">
          <h2 id="generate-heading">Generate a key</h2>
          <form id="generate">
            <label for="name">Name</label>
            <input id="name" name="name" maxlength="100" placeholder="e.g. Zapier, production" />
            <fieldset class="modes">
              <legend>Mode</legend>
              <label><input type="radio" name="mode" value="live" checked /> Live: your real data, counted against your limits</label>
              <label><input type="radio" name="mode" value="test" /> Test: made-up data from the sandbox, 60 requests a minute</label>
            </fieldset>
            <fieldset>
              <legend>Scopes</legend>
              ${SCOPES.map((scope) => {
                const inPlan = planScopes.includes(scope);
                return html`<label class="scope ${inPlan ? "" : "not-in-plan"}">
                  <input type="checkbox" name="scopes" value="${scope}" ${DEFAULT_KEY_SCOPES.includes(scope) ? "checked" : ""} />
                  ${scope}${inPlan ? "" : html` <span class="note">(not in your plan)</span>`}
                </label>`;
              })}
            </fieldset>
            <label for="expires">Expires (optional, UTC)</label>
            <input id="expires" name="expires" type="datetime-local" />
            <label for="rate">Rate limit per minute (optional)</label>
            <input id="rate" name="rate" type="number" min="1" max="1000000000" />
            <label for="ips">Allowed IP addresses (optional, one per line)</label>
            <textarea id="ips" name="ips" rows="3" placeholder="203.0.113.0/24"></textarea>
            <button type="submit" id="generate-button">Generate key</button>
          </form>
        </section>
        <dialog id="new-key" aria-labelledby="new-key-title">
          <h2 id="new-key-title">Your new API key</h2>
          <p class="warning">
            This is the only time the key is shown. Copy it now and store it in a secret manager; once you close
            this dialog it is gone from this page.
          </p>
          <output id="new-key-value"></output>
          <p id="new-key-note"></p>
          <p id="copy-status" role="status" class="success"></p>
          <div class="buttons">
            <button type="button" id="copy-key">Copy</button>
            <button type="button" id="close-key">Close</button>
          </div>
        </dialog>
        <dialog id="confirm-revoke" aria-labelledby="confirm-revoke-title" aria-describedby="confirm-revoke-text">
          <h2 id="confirm-revoke-title">Revoke this key?</h2>
          <p id="confirm-revoke-text"></p>
          <div class="buttons">
            <button type="button" id="confirm-revoke-yes" class="danger">Revoke</button>
            <button type="button" id="confirm-revoke-no">Keep it</button>
          </div>
        </dialog>
      </main>`,
    csrf,
  );
}

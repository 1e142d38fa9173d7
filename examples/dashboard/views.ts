/**
 * @module
 * The pages of Settings → API, rendered on the server. Every value is escaped by `hono/html`; no
 * inline script or style (the Content-Security-Policy allows neither): behaviour is in
 * /static/app.js, looks in /static/style.css.
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { DEFAULT_KEY_SCOPES, PLANS, type Plan, SCOPES } from "../../src/domain/policy";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface Account {
  account_id: string;
  plan: Plan;
  limits: { per_minute: number | null; per_day: number | null };
}

export interface ListedKey {
  id: string;
  name: string | null;
  scopes: string[];
  hint: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  revoked_reason: "revoked" | "leaked" | null;
  rolled_from: string | null;
  rolled_to: string | null;
  leak: { url: string | null } | null;
}

function page(title: string, body: Html, csrf?: string): Html {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    ${csrf ? html`<meta name="csrf-token" content="${csrf}" />` : ""}
    <title>${title} · NearIQ</title>
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

/** active, expiring (an expiry is set), expired, revoked, or leaked. */
export function statusOf(key: ListedKey, now = Date.now()): string {
  if (key.revoked_reason === "leaked") return "leaked";
  if (key.revoked_at) return "revoked";
  if (key.expires_at && Date.parse(key.expires_at) <= now) return "expired";
  if (key.expires_at) return "expiring";
  return "active";
}

const GRACES: [string, string][] = [
  ["0", "now"],
  ["3600", "in 1 hour"],
  ["86400", "in 24 hours"],
  ["604800", "in 7 days"],
];

export function keysTable(keys: readonly ListedKey[]): Html {
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
        return html`<tr id="${key.id}" data-status="${status}">
          <td>${key.name ?? "—"}</td>
          <td><code>${key.hint}</code></td>
          <td>${key.scopes.join(", ")}</td>
          <td>${dateText(key.created_at)}</td>
          <td>${dateText(key.last_used_at)}</td>
          <td>${dateText(key.expires_at)}</td>
          <td>
            <span class="status ${status}">${status}</span>
            ${key.rolled_from ? html`<br /><a href="#${key.rolled_from}">rolled from ${key.rolled_from}</a>` : ""}
            ${key.rolled_to ? html`<br /><a href="#${key.rolled_to}">rolled to ${key.rolled_to}</a>` : ""}
          </td>
          <td>
            ${
              usable
                ? html`<form class="roll" data-key-id="${key.id}">
                      <label for="grace-${key.id}">Old key stops</label>
                      <select id="grace-${key.id}" name="grace">
                        ${GRACES.map(([value, label]) => html`<option value="${value}" ${value === "86400" ? "selected" : ""}>${label}</option>`)}
                      </select>
                      <button type="submit">Roll</button>
                    </form>
                    <button type="button" class="revoke" data-key-id="${key.id}" data-key-name="${key.name ?? key.hint}">
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

export function settingsPage(account: Account, keys: readonly ListedKey[], csrf: string): Html {
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
        <section aria-labelledby="keys-heading">
          <h2 id="keys-heading">Keys</h2>
          <div id="keys">${keysTable(keys)}</div>
        </section>
        <section aria-labelledby="generate-heading">
          <h2 id="generate-heading">Generate a key</h2>
          <form id="generate">
            <label for="name">Name</label>
            <input id="name" name="name" maxlength="100" placeholder="e.g. Zapier, production" />
            <fieldset>
              <legend>Scopes</legend>
              ${SCOPES.map((scope) => {
                const inPlan = planScopes.includes(scope);
                return html`<label class="scope ${inPlan ? "" : "not-in-plan"}">
                  <input type="checkbox" name="scopes" value="${scope}" ${DEFAULT_KEY_SCOPES.includes(scope) ? "checked" : ""} />
                  ${scope}${inPlan ? "" : html` <em>(not in your plan)</em>`}
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
          <div class="buttons">
            <button type="button" id="copy-key">Copy</button>
            <button type="button" id="close-key">Close</button>
          </div>
        </dialog>
      </main>`,
    csrf,
  );
}

/**
 * `npm run keys -- <command>`: manage accounts and keys through the admin API.
 *
 *   plan   <account_id> <starter|pro|agency> [--per-minute N|none] [--per-day N|none]
 *                                                create the account or change its plan and limits
 *   create <account_id> [--name N] [--scopes a,b] [--expires-at RFC3339] [--rate-limit N]
 *          [--allow-ip CIDR]... [--export]
 *   roll   <account_id> <key_id> [--grace SECONDS] [--name N] [--expires-at RFC3339] [--export]
 *   list   <account_id>                          keys by hint (never the key), with status and roll links
 *   revoke <account_id> <key_id>
 *
 * The edge's URL: --url, or NEARIQ_EDGE_URL, or http://127.0.0.1:8787.
 * The admin token: --token, or NEARIQ_ADMIN_TOKEN, or ADMIN_TOKEN in .dev.vars.
 *
 * `create` and `roll` print the new key alone on standard output (with --export: shell `export`
 * lines for NEARIQ_KEY and NEARIQ_KEY_ID) and everything else on standard error, so that
 * KEY=$(npm run -s keys -- create acme) works.
 *
 * Exit codes: 0 done; 1 refused by the API (4xx); 2 usage; 3 edge unreachable or failing (5xx);
 * 4 admin token missing, wrong, or the admin API disabled.
 */
import { parseArgs } from "node:util";
import { readDevVars } from "./dev-vars.mjs";
import { printable as p } from "./printable.mjs";

const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3, unauthorized: 4 };

const USAGE = `usage: npm run keys -- <command> [options]
  plan   <account_id> <starter|pro|agency> [--per-minute N|none] [--per-day N|none]
  create <account_id> [--name NAME] [--scopes a,b] [--expires-at RFC3339] [--rate-limit N]
         [--allow-ip CIDR]... [--export]
  roll   <account_id> <key_id> [--grace SECONDS] [--name NAME] [--expires-at RFC3339] [--export]
  list   <account_id>
  revoke <account_id> <key_id>
options: --url URL (default $NEARIQ_EDGE_URL or http://127.0.0.1:8787)
         --token TOKEN (default $NEARIQ_ADMIN_TOKEN or ADMIN_TOKEN from .dev.vars)`;

function fail(code, message) {
  console.error(message);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: "string" },
      token: { type: "string" },
      name: { type: "string" },
      scopes: { type: "string" },
      "expires-at": { type: "string" },
      "rate-limit": { type: "string" },
      "per-minute": { type: "string" },
      "per-day": { type: "string" },
      "allow-ip": { type: "string", multiple: true },
      grace: { type: "string" },
      export: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
} catch (error) {
  fail(EXIT.usage, `${error.message}\n${USAGE}`);
}
const { values, positionals } = parsed;
if (values.help) fail(EXIT.ok, USAGE);
const [command, accountId, extra] = positionals;
if (!command || !accountId) fail(EXIT.usage, USAGE);

const baseUrl = (values.url ?? process.env.NEARIQ_EDGE_URL ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
const token = values.token ?? process.env.NEARIQ_ADMIN_TOKEN ?? readDevVars()?.ADMIN_TOKEN;
if (!token)
  fail(
    EXIT.unauthorized,
    "No admin token: pass --token, set NEARIQ_ADMIN_TOKEN, or run `npm run dev` once to create .dev.vars.",
  );

async function call(method, path, body) {
  let res;
  try {
    res = await fetch(`${baseUrl}/_admin${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    fail(EXIT.unreachable, `The edge is not reachable at ${baseUrl}. Is \`npm run dev\` running?`);
  }
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { detail: text };
  }
  if (res.ok) return json;
  const reason = p(`${res.status} ${json.code ?? ""}: ${json.detail ?? text}`.trim());
  if (res.status === 401 || json.code === "admin_disabled") {
    fail(EXIT.unauthorized, `The admin token was refused (${reason}). Check --token or ADMIN_TOKEN in .dev.vars.`);
  }
  if (res.status >= 500) fail(EXIT.unreachable, `The edge failed: ${reason}`);
  const extraInfo = json.invalid_scopes ? ` (invalid: ${p(json.invalid_scopes.join(", "))})` : "";
  fail(EXIT.refused, `Refused: ${reason}${extraInfo}`);
}

/** A limit option: a whole number, or `none` for no limit (sent as null); other text is sent as it is, for the API to refuse. */
function limitOption(value) {
  if (value === "none") return null;
  return /^\d+$/.test(value) ? Number(value) : value;
}

const limitText = (n) => (n === null ? "none" : String(n));

/** active, expiring (an expiry is set), expired, revoked, or leaked (revoked by a leak report). */
function statusOf(key) {
  if (key.revoked_reason === "leaked") return `leaked ${key.revoked_at}${key.leak?.url ? ` at ${key.leak.url}` : ""}`;
  if (key.revoked_at) return `revoked ${key.revoked_at}`;
  if (key.expires_at && Date.parse(key.expires_at) <= Date.now()) return `expired ${key.expires_at}`;
  if (key.expires_at) return `expiring ${key.expires_at}`;
  return "active";
}

/** The new key alone on stdout (or as `export` lines), after the warning on stderr. */
function printNewKey(created) {
  console.error("This is the only time the key is shown: store it in a secret manager now.");
  if (!/^[A-Za-z0-9_]+$/.test(created.key) || !/^[A-Za-z0-9_]+$/.test(created.id)) {
    fail(EXIT.unreachable, "The edge answered a key or id in an unexpected form.");
  }
  if (values.export) {
    console.log(`export NEARIQ_KEY='${created.key}'`);
    console.log(`export NEARIQ_KEY_ID='${created.id}'`);
  } else {
    console.log(created.key);
  }
}

const account = encodeURIComponent(accountId);
switch (command) {
  case "plan": {
    if (!extra) fail(EXIT.usage, USAGE);
    const body = { plan: extra };
    const limits = {};
    if (values["per-minute"] !== undefined) limits.per_minute = limitOption(values["per-minute"]);
    if (values["per-day"] !== undefined) limits.per_day = limitOption(values["per-day"]);
    if (Object.keys(limits).length > 0) body.limits = limits;
    const result = await call("PUT", `/accounts/${account}`, body);
    console.log(
      `account ${p(result.account_id)}: plan ${p(result.plan)}, ` +
        p(`${limitText(result.limits.per_minute)} per minute, ${limitText(result.limits.per_day)} per day`),
    );
    break;
  }
  case "create": {
    const body = {};
    if (values.name !== undefined) body.name = values.name;
    if (values.scopes !== undefined)
      body.scopes = values.scopes
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    if (values["expires-at"] !== undefined) body.expires_at = values["expires-at"];
    if (values["rate-limit"] !== undefined) body.rate_limit_per_minute = limitOption(values["rate-limit"]);
    if (values["allow-ip"] !== undefined) body.allowed_ips = values["allow-ip"];
    const created = await call("POST", `/accounts/${account}/keys`, body);
    console.error(`created key ${p(created.id)} for ${p(accountId)}`);
    console.error(`  name:       ${p(created.name ?? "(none)")}`);
    console.error(`  scopes:     ${p(created.scopes.join(" "))}`);
    console.error(`  expires_at: ${p(created.expires_at ?? "never")}`);
    console.error(
      `  rate limit: ${p(created.rate_limit_per_minute === null ? "account's only" : `${created.rate_limit_per_minute} per minute`)}`,
    );
    console.error(`  allowed IPs: ${p(created.allowed_ips === null ? "any" : created.allowed_ips.join(" "))}`);
    printNewKey(created);
    break;
  }
  case "roll": {
    if (!extra) fail(EXIT.usage, USAGE);
    const body = {};
    if (values.grace !== undefined)
      body.grace_seconds = /^\d+$/.test(values.grace) ? Number(values.grace) : values.grace;
    if (values.name !== undefined) body.name = values.name;
    if (values["expires-at"] !== undefined) body.expires_at = values["expires-at"];
    const rolled = await call("POST", `/accounts/${account}/keys/${encodeURIComponent(extra)}/roll`, body);
    console.error(`rolled ${p(rolled.rolled_from)} to ${p(rolled.id)} for ${p(accountId)}`);
    console.error(`  the old key expires at ${p(rolled.old_key.expires_at)}`);
    console.error(`  name:       ${p(rolled.name ?? "(none)")}`);
    console.error(`  scopes:     ${p(rolled.scopes.join(" "))}`);
    console.error(`  expires_at: ${p(rolled.expires_at ?? "never")}`);
    printNewKey(rolled);
    break;
  }
  case "list": {
    const { keys } = await call("GET", `/accounts/${account}/keys`);
    if (keys.length === 0) console.log(`no keys for ${p(accountId)}`);
    for (const key of keys) {
      const links = [
        key.rolled_from && `rolled from ${key.rolled_from}`,
        key.rolled_to && `rolled to ${key.rolled_to}`,
      ];
      const line = [
        key.id,
        key.hint,
        statusOf(key),
        `last used ${key.last_used_at ?? "never"}`,
        `[${key.scopes.join(" ")}]`,
      ];
      console.log(`${p([...line, ...links.filter(Boolean)].join("  "))}  ${p(key.name ?? "")}`);
    }
    break;
  }
  case "revoke": {
    if (!extra) fail(EXIT.usage, USAGE);
    const result = await call("DELETE", `/accounts/${account}/keys/${encodeURIComponent(extra)}`);
    console.log(`revoked ${p(result.id)} at ${p(result.revoked_at)}`);
    break;
  }
  default:
    fail(EXIT.usage, USAGE);
}

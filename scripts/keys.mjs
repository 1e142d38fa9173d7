#!/usr/bin/env node
/**
 * `npm run keys -- <command>` (or `node scripts/keys.mjs <command>`): manage accounts and keys
 * through the admin API. `npm run keys -- help` lists the commands; docs/api.md is the API they call.
 *
 * `create` and `roll` print the new key alone on standard output (with --export: shell `export`
 * lines for NEARIQ_KEY and NEARIQ_KEY_ID) and everything else on standard error, so that
 * KEY=$(npm run -s keys -- create acme) works. `npm run` without `-s` prints its own banner on
 * standard output, which a shell would run: capture with `-s`, or call `node scripts/keys.mjs`.
 *
 * Exit codes: 0 done; 1 refused by the API (4xx); 2 usage; 3 edge unreachable or failing (5xx);
 * 4 admin token missing, wrong, or the admin API disabled.
 */
import { parseArgs } from "node:util";
import createClient from "openapi-fetch";
import { DEFAULT_DEV_VARS, readDevVars } from "./dev-vars.mjs";
import { printable as p } from "./printable.mjs";

const EXIT = { ok: 0, refused: 1, usage: 2, unreachable: 3, unauthorized: 4 };

/** Every command: its positional arguments, its options, and one line of help. */
const COMMANDS = {
  plan: {
    args: ["account_id", "plan"],
    options: ["per-minute", "per-day"],
    help: "<account_id> <starter|pro|agency> [--per-minute N|none] [--per-day N|none]   create an account or change its plan and limits",
  },
  create: {
    args: ["account_id"],
    options: ["name", "scopes", "expires-at", "rate-limit", "allow-ip", "test", "export"],
    help: "<account_id> [--name NAME] [--scopes a,b] [--expires-at RFC3339] [--rate-limit N] [--allow-ip CIDR]... [--test] [--export]",
  },
  roll: {
    args: ["account_id", "key_id"],
    options: ["grace", "name", "expires-at", "export"],
    help: "<account_id> <key_id> [--grace SECONDS] [--name NAME] [--expires-at RFC3339] [--export]",
  },
  list: { args: ["account_id"], options: [], help: "<account_id>   the keys, by hint (never the key)" },
  revoke: { args: ["account_id", "key_id"], options: [], help: "<account_id> <key_id>" },
  usage: {
    args: ["account_id"],
    options: ["key", "granularity", "from", "to"],
    help: "<account_id> [--key KEY_ID] [--granularity hour|day] [--from RFC3339] [--to RFC3339]   requests per hour or day",
  },
  events: {
    args: ["account_id"],
    options: ["type", "follow"],
    help: "<account_id> [--type TYPE] [--follow]   what happened to the account and its keys",
  },
  close: {
    args: ["account_id"],
    options: ["yes"],
    help: "<account_id> --yes   close the account: every key refused at once, its data erased",
  },
  help: { args: [], options: [], help: "   this list" },
};

const OPTIONS = /** @type {const} */ ({
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
  key: { type: "string" },
  granularity: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  type: { type: "string" },
  follow: { type: "boolean" },
  test: { type: "boolean" },
  yes: { type: "boolean" },
  export: { type: "boolean" },
  help: { type: "boolean", short: "h" },
});
const GLOBAL_OPTIONS = ["url", "token", "help"];

const USAGE = [
  "usage: npm run keys -- <command> [options]",
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(7)}${c.help}`),
  "options of every command: --url URL (default $NEARIQ_EDGE_URL or http://127.0.0.1:8787)",
  "                          --token TOKEN (default $NEARIQ_ADMIN_TOKEN or ADMIN_TOKEN in .dev.vars)",
].join("\n");

function fail(code, message) {
  console.error(message);
  process.exit(code);
}

/** Edit distance, for "did you mean". */
function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

function suggestion(word, candidates) {
  const best = candidates
    .map((c) => [c, distance(word, c)])
    .sort((x, y) => x[1] - y[1])
    .find(([c, d]) => d <= Math.max(2, Math.floor(c.length / 3)));
  return best ? ` Did you mean ${best[0]}?` : "";
}

// --- arguments --------------------------------------------------------------------------------

const argv = process.argv.slice(2);
for (const arg of argv) {
  if (!arg.startsWith("--")) continue;
  const name = arg.slice(2).split("=")[0];
  if (!(name in OPTIONS)) {
    fail(
      EXIT.usage,
      `Unknown option --${name}.${suggestion(name, Object.keys(OPTIONS)).replace(/ (\S+)\?$/, " --$1?")}\n${USAGE}`,
    );
  }
}
let parsed;
try {
  parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
} catch (error) {
  fail(EXIT.usage, `${String(error.message).split("\n")[0]}\n${USAGE}`);
}
const positionals = parsed.positionals;
/** @type {Record<string, any>} */
const values = parsed.values;
const [command, ...args] = positionals;
if (values.help || command === "help") {
  console.log(USAGE);
  process.exit(EXIT.ok);
}
if (command === undefined) fail(EXIT.usage, USAGE);
const spec = COMMANDS[command];
if (!spec) fail(EXIT.usage, `Unknown command ${p(command)}.${suggestion(command, Object.keys(COMMANDS))}\n${USAGE}`);
const commandUsage = `usage: npm run keys -- ${command} ${spec.help}`;
if (args.length < spec.args.length) {
  fail(EXIT.usage, `${command} needs ${spec.args.slice(args.length).join(" and ")}.\n${commandUsage}`);
}
if (args.length > spec.args.length) {
  const hint = command === "create" ? ` (to name the key, use --name ${p(args[spec.args.length])})` : "";
  fail(
    EXIT.usage,
    `${command} takes ${spec.args.length} argument${spec.args.length === 1 ? "" : "s"}; ${p(args.slice(spec.args.length).join(" "))} is one too many${hint}.\n${commandUsage}`,
  );
}
for (const name of Object.keys(values)) {
  if (!GLOBAL_OPTIONS.includes(name) && !spec.options.includes(name)) {
    fail(EXIT.usage, `${command} has no option --${name}.\n${commandUsage}`);
  }
}

/** A whole number in [min, max], or (with `none`) null; else a usage error in the CLI's own terms. */
function wholeNumber(flag, value, { min = 1, max = 1_000_000_000, none = false } = {}) {
  if (none && value === "none") return null;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    const range = `a whole number from ${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}`;
    fail(EXIT.usage, `--${flag} takes ${range}${none ? " or none" : ""}, not ${p(JSON.stringify(value))}.`);
  }
  return Number(value);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function time(flag, value) {
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    fail(
      EXIT.usage,
      `--${flag} takes a date and time with a zone, e.g. 2027-03-01T00:00:00Z, not ${p(JSON.stringify(value))}.`,
    );
  }
  return value;
}

// --- the edge and the token -----------------------------------------------------------------------

const urlSource = values.url !== undefined ? "--url" : process.env.NEARIQ_EDGE_URL ? "NEARIQ_EDGE_URL" : "the default";
const rawUrl = values.url ?? process.env.NEARIQ_EDGE_URL ?? "http://127.0.0.1:8787";
if (!/^https?:\/\/[^/\s]+/.test(rawUrl)) {
  fail(EXIT.usage, `${urlSource} must be a URL starting with http:// or https://, e.g. http://${p(rawUrl)}.`);
}
const baseUrl = rawUrl.replace(/\/+$/, "");
/** The admin token and where it came from, read when the first call is made (after the arguments are checked). */
function adminToken() {
  if (values.token !== undefined) return { token: values.token, source: "--token" };
  if (process.env.NEARIQ_ADMIN_TOKEN) return { token: process.env.NEARIQ_ADMIN_TOKEN, source: "NEARIQ_ADMIN_TOKEN" };
  const token = readDevVars()?.ADMIN_TOKEN;
  if (!token) {
    fail(
      EXIT.unauthorized,
      "No admin token: pass --token, set NEARIQ_ADMIN_TOKEN, or run `npm run dev` once to create .dev.vars.",
    );
  }
  return { token, source: `ADMIN_TOKEN in ${DEFAULT_DEV_VARS}` };
}

/** A sentence for the refusals a person can act on from here. */
function advice(json) {
  if (json.code === "unknown_account") return ` Create it first: npm run keys -- plan ${p(args[0])} starter|pro|agency`;
  if (json.code === "unknown_key") return ` List the account's keys: npm run keys -- list ${p(args[0])}`;
  return "";
}

/** @typedef {import("../docs/openapi").paths} Paths */

/**
 * The admin API, through openapi-fetch, typed from docs/openapi.json (docs/openapi.d.ts): a change
 * to a call this CLI makes breaks `npm run typecheck`. Made on the first call.
 * @type {import("openapi-fetch").Client<Paths> | null}
 */
let client = null;
let tokenSource = "";

function api() {
  if (client) return client;
  const { token, source } = adminToken();
  tokenSource = source;
  client = createClient({ baseUrl, headers: { Authorization: `Bearer ${token}` } });
  return client;
}

/**
 * The answer's data, or the CLI's own sentence and exit code for a refusal or a failure.
 * @template T
 * @param {Promise<{ data?: T, error?: unknown, response: Response }>} request
 * @returns {Promise<T>}
 */
async function answer(request) {
  let res;
  try {
    res = await request;
  } catch {
    fail(
      EXIT.unreachable,
      `The edge is not reachable at ${p(baseUrl)} (from ${urlSource}). Is \`npm run dev\` running?`,
    );
    throw new Error("unreachable");
  }
  if (res.response.ok) return /** @type {T} */ (res.data);
  const json = /** @type {{ code?: string, detail?: string, invalid_scopes?: string[] }} */ (res.error ?? {});
  const status = res.response.status;
  const reason = p(`${status} ${json.code ?? ""}: ${json.detail ?? ""}`.trim());
  if (json.code === "admin_disabled") fail(EXIT.unauthorized, `The admin API is switched off on the edge (${reason}).`);
  if (status === 401) fail(EXIT.unauthorized, `The admin token from ${tokenSource} was refused (${reason}).`);
  if (status >= 500) fail(EXIT.unreachable, `The edge failed: ${reason}`);
  const invalid = json.invalid_scopes ? ` (invalid: ${p(json.invalid_scopes.join(", "))})` : "";
  fail(EXIT.refused, `Refused: ${reason}${invalid}.${advice(json)}`);
  throw new Error("refused");
}

// --- output ---------------------------------------------------------------------------------------

/** Rows as aligned columns under a header; every cell made printable (a server string never moves the cursor). */
function table(header, cells) {
  const rows = cells.map((row) => row.map((cell) => p(String(cell))));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const limitText = (n) => (n === null ? "none" : String(n));
const day = (iso) => (iso ? iso.slice(0, 16).replace("T", " ") : "—");

/** active, expired, revoked, or leaked (revoked by a leak report, and where), with its roll links. */
function statusOf(key) {
  let status = "active";
  if (key.revoked_reason === "leaked") status = `leaked${key.leak?.url ? ` at ${key.leak.url}` : ""}`;
  else if (key.revoked_at) status = "revoked";
  else if (key.expires_at && Date.parse(key.expires_at) <= Date.now()) status = "expired";
  const links = [key.rolled_from && `rolled from ${key.rolled_from}`, key.rolled_to && `rolled to ${key.rolled_to}`];
  return [status, ...links.filter(Boolean)].join(", ");
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

function describeKey(key) {
  console.error(`  name:        ${p(key.name ?? "(none)")}`);
  console.error(`  mode:        ${p(key.mode ?? "live")}`);
  console.error(`  scopes:      ${p(key.scopes.join(" "))}`);
  console.error(`  expires_at:  ${p(key.expires_at ?? "never")}`);
  console.error(
    `  rate limit:  ${p(key.rate_limit_per_minute === null ? "the account's only" : `${key.rate_limit_per_minute} per minute`)}`,
  );
  console.error(`  allowed IPs: ${p(key.allowed_ips === null ? "any" : key.allowed_ips.join(" "))}`);
}

const refusedText = (refused) =>
  Object.entries(refused)
    .map(([code, n]) => `${code} ${n}`)
    .join(", ") || "—";

// --- commands -------------------------------------------------------------------------------------

const accountId = args[0] ?? "";
const inAccount = { params: { path: { account_id: accountId } } };
const ofKey = (keyId) => ({ params: { path: { account_id: accountId, key_id: keyId } } });
switch (command) {
  case "plan": {
    /** @type {{ plan: any, limits?: { per_minute?: number | null, per_day?: number | null } }} */
    const body = { plan: args[1] }; // the API judges the plan's name (400 invalid_plan)
    const limits = {};
    if (values["per-minute"] !== undefined)
      limits.per_minute = wholeNumber("per-minute", values["per-minute"], { none: true });
    if (values["per-day"] !== undefined) limits.per_day = wholeNumber("per-day", values["per-day"], { none: true });
    if (Object.keys(limits).length > 0) body.limits = limits;
    const result = await answer(api().PUT("/_admin/accounts/{account_id}", { ...inAccount, body }));
    console.log(
      `account ${p(result.account_id)}: plan ${p(result.plan)}, ` +
        p(`${limitText(result.limits.per_minute)} per minute, ${limitText(result.limits.per_day)} per day`),
    );
    break;
  }
  case "create": {
    /** @type {{ name?: string, scopes?: any[], expires_at?: string, rate_limit_per_minute?: number, allowed_ips?: string[], mode?: "live" | "test" }} */
    const body = {};
    if (values.name !== undefined) body.name = values.name;
    if (values.scopes !== undefined) {
      body.scopes = values.scopes
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    }
    if (values["expires-at"] !== undefined) body.expires_at = time("expires-at", values["expires-at"]);
    if (values["rate-limit"] !== undefined)
      body.rate_limit_per_minute = wholeNumber("rate-limit", values["rate-limit"]);
    if (values["allow-ip"] !== undefined) body.allowed_ips = values["allow-ip"];
    if (values.test) body.mode = "test";
    const created = await answer(api().POST("/_admin/accounts/{account_id}/keys", { ...inAccount, body }));
    console.error(`created ${created.mode === "test" ? "test " : ""}key ${p(created.id)} for ${p(args[0])}`);
    describeKey(created);
    printNewKey(created);
    break;
  }
  case "roll": {
    /** @type {{ grace_seconds?: number, name?: string, expires_at?: string }} */
    const body = {};
    if (values.grace !== undefined) body.grace_seconds = wholeNumber("grace", values.grace, { min: 0, max: 604_800 });
    if (values.name !== undefined) body.name = values.name;
    if (values["expires-at"] !== undefined) body.expires_at = time("expires-at", values["expires-at"]);
    const rolled = await answer(
      api().POST("/_admin/accounts/{account_id}/keys/{key_id}/roll", { ...ofKey(args[1]), body }),
    );
    console.error(`rolled ${p(rolled.rolled_from)} to ${p(rolled.id)} for ${p(args[0])}`);
    console.error(`  the old key expires at ${p(rolled.old_key.expires_at)}`);
    describeKey(rolled);
    printNewKey(rolled);
    break;
  }
  case "list": {
    const { keys } = await answer(api().GET("/_admin/accounts/{account_id}/keys", inAccount));
    if (keys.length === 0) {
      console.log(`no keys for ${p(args[0])}`);
      break;
    }
    const rows = keys.map((k) => [
      k.id,
      k.name ?? "—",
      k.hint,
      k.mode ?? "live",
      statusOf(k),
      day(k.created_at),
      k.expires_at ? day(k.expires_at) : "never",
      day(k.last_used_at),
      k.rate_limit_per_minute === null ? "—" : `${k.rate_limit_per_minute}/min`,
      k.allowed_ips === null ? "any" : k.allowed_ips.join(" "),
      k.scopes.join(" "),
    ]);
    console.log(
      table(
        ["ID", "NAME", "KEY", "MODE", "STATUS", "CREATED", "EXPIRES", "LAST USED", "LIMIT", "ALLOWED IPS", "SCOPES"],
        rows,
      ),
    );
    break;
  }
  case "revoke": {
    const result = await answer(api().DELETE("/_admin/accounts/{account_id}/keys/{key_id}", ofKey(args[1])));
    console.log(`revoked ${p(result.id)} at ${p(result.revoked_at)}`);
    break;
  }
  case "usage": {
    /** @type {{ key_id?: string, granularity?: "hour" | "day", from?: string, to?: string }} */
    const query = {};
    if (values.key !== undefined) query.key_id = values.key;
    if (values.granularity !== undefined) {
      if (values.granularity !== "hour" && values.granularity !== "day")
        fail(EXIT.usage, "--granularity takes hour or day.");
      query.granularity = /** @type {"hour" | "day"} */ (values.granularity);
    }
    if (values.from !== undefined) query.from = time("from", values.from);
    if (values.to !== undefined) query.to = time("to", values.to);
    const u = await answer(
      api().GET("/_admin/accounts/{account_id}/usage", { params: { path: { account_id: accountId }, query } }),
    );
    const rows = u.buckets.map((b) => [
      day(b.start),
      b.admitted,
      refusedText(b.refused),
      b.test.admitted,
      refusedText(b.test.refused),
    ]);
    rows.push([
      "total",
      u.totals.admitted,
      refusedText(u.totals.refused),
      u.totals.test.admitted,
      refusedText(u.totals.test.refused),
    ]);
    console.log(
      p(
        `usage of ${u.account_id}${u.key_id ? `, key ${u.key_id}` : ""}, per ${u.granularity}, ${u.from} to ${u.to} (UTC)`,
      ),
    );
    console.log(
      table([u.granularity === "hour" ? "HOUR" : "DAY", "ADMITTED", "REFUSED", "TEST ADMITTED", "TEST REFUSED"], rows),
    );
    if (u.keys && u.keys.length > 0) {
      console.log("");
      console.log(
        table(
          ["KEY", "ADMITTED", "REFUSED", "TEST ADMITTED"],
          u.keys.map((k) => [k.key_id, k.admitted, refusedText(k.refused), k.test.admitted]),
        ),
      );
    }
    break;
  }
  case "events": {
    let after = null;
    const print = (e) =>
      console.log(p(`${e.created_at}  ${e.type.padEnd(15)}  ${e.actor ?? "—"}  ${JSON.stringify(e.data)}`));
    for (;;) {
      /** @type {{ limit: number, after?: string, type?: string }} */
      const query = { limit: 100 };
      if (after) query.after = after;
      if (values.type !== undefined) query.type = values.type;
      const page = await answer(
        api().GET("/_admin/accounts/{account_id}/events", { params: { path: { account_id: accountId }, query } }),
      );
      for (const e of page.events) print(e);
      if (page.events.length > 0) after = page.events[page.events.length - 1].id;
      if (page.next) continue;
      if (!values.follow) break;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    break;
  }
  case "close": {
    const { keys } = await answer(api().GET("/_admin/accounts/{account_id}/keys", inAccount));
    const active = keys.filter((k) => !k.revoked_at && (!k.expires_at || Date.parse(k.expires_at) > Date.now())).length;
    if (!values.yes) {
      fail(
        EXIT.usage,
        `Closing ${p(args[0])} revokes its ${active} active key${active === 1 ? "" : "s"} at once and erases its keys, usage and events. Run again with --yes to close it.`,
      );
    }
    const closed = await answer(api().DELETE("/_admin/accounts/{account_id}", inAccount));
    console.log(p(`closed ${closed.account_id} at ${closed.closed_at}: ${closed.keys_revoked} keys revoked`));
    break;
  }
}

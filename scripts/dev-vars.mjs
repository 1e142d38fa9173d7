/**
 * `.dev.vars`: local secrets for `wrangler dev`, created with fresh random values when missing.
 * It is git-ignored; nothing here is ever printed.
 */
import { randomBytes, webcrypto } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const DEFAULT_DEV_VARS = ".dev.vars";

/**
 * A private JWK with a `kid`, as `ASSERTION_PRIVATE_JWK` wants it: Ed25519 (EdDSA) by default, as
 * it is the cheaper of the two to sign with (bench/RESULTS.md); `ES256` on request.
 */
export async function newSigningJwk(alg = "EdDSA") {
  const kid = `local-${randomBytes(4).toString("hex")}`;
  if (alg === "ES256") {
    const pair = /** @type {CryptoKeyPair} */ (
      await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])
    );
    const { kty, crv, x, y, d } = await webcrypto.subtle.exportKey("jwk", pair.privateKey);
    return { kty, crv, x, y, d, alg, kid };
  }
  const pair = /** @type {CryptoKeyPair} */ (
    await webcrypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])
  );
  const { kty, crv, x, d } = await webcrypto.subtle.exportKey("jwk", pair.privateKey);
  return { kty, crv, x, d, alg: "EdDSA", kid };
}

/** The names `npm run dev` writes to `.dev.vars` (and so the names `wrangler dev` checks its types against). */
export const DEV_VAR_NAMES = [
  "ADMIN_TOKEN",
  "ASSERTION_PRIVATE_JWK",
  "ORIGIN_URL",
  "ORIGIN_TEST_URL",
  "EVENTS_WEBHOOK_URL",
  "EVENTS_WEBHOOK_SECRET",
];

/** A Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes. */
export function newWebhookSecret() {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/**
 * Fresh local values for every name of {@link DEV_VAR_NAMES}: the example origin, the sandbox
 * origin for test keys, and the dashboard's webhook receiver, on the ports `npm run dev` uses.
 */
export async function freshDevVars(
  originUrl = "http://127.0.0.1:8788",
  alg = "EdDSA",
  { originTestUrl = "http://127.0.0.1:8790", webhookUrl = "http://127.0.0.1:8789/webhooks/neariq" } = {},
) {
  return {
    ADMIN_TOKEN: randomBytes(32).toString("base64url"),
    ASSERTION_PRIVATE_JWK: JSON.stringify(await newSigningJwk(alg)),
    ORIGIN_URL: originUrl,
    ORIGIN_TEST_URL: originTestUrl,
    EVENTS_WEBHOOK_URL: webhookUrl,
    EVENTS_WEBHOOK_SECRET: newWebhookSecret(),
  };
}

/**
 * Parses KEY=VALUE lines (values optionally in single or double quotes).
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseDevVars(text) {
  /** @type {Record<string, string>} */
  const vars = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith("#")) continue;
    let value = match[2];
    if (/^'.*'$|^".*"$/.test(value)) value = value.slice(1, -1);
    vars[match[1]] = value;
  }
  return vars;
}

export function readDevVars(path = DEFAULT_DEV_VARS) {
  return existsSync(path) ? parseDevVars(readFileSync(path, "utf8")) : null;
}

/**
 * Creates `path` with fresh secrets when it is missing (returns `"created"`); adds the names a file
 * from an earlier version lacks, leaving every value it has as it is (`"completed"`); else `null`.
 */
export async function ensureDevVars(path = DEFAULT_DEV_VARS) {
  const vars = await freshDevVars();
  if (!existsSync(path)) {
    const lines = [
      "# Local secrets for `wrangler dev`, created by `npm run dev`. Never commit this file.",
      ...Object.entries(vars).map(([name, value]) => `${name}='${value}'`),
      "",
    ];
    writeFileSync(path, lines.join("\n"), { mode: 0o600 });
    return "created";
  }
  const text = readFileSync(path, "utf8");
  const present = parseDevVars(text);
  const missing = Object.entries(vars).filter(([name]) => !(name in present));
  if (missing.length === 0) return null;
  const added = missing.map(([name, value]) => `${name}='${value}'`).join("\n");
  writeFileSync(path, `${text}${text.endsWith("\n") || text === "" ? "" : "\n"}${added}\n`, { mode: 0o600 });
  return "completed";
}

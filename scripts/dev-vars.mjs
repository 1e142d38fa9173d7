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
    const pair = await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
    const { kty, crv, x, y, d } = await webcrypto.subtle.exportKey("jwk", pair.privateKey);
    return { kty, crv, x, y, d, alg, kid };
  }
  const pair = await webcrypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  const { kty, crv, x, d } = await webcrypto.subtle.exportKey("jwk", pair.privateKey);
  return { kty, crv, x, d, alg: "EdDSA", kid };
}

/** The names `npm run dev` writes to `.dev.vars` (and so the names `wrangler dev` checks its types against). */
export const DEV_VAR_NAMES = ["ADMIN_TOKEN", "ASSERTION_PRIVATE_JWK", "ORIGIN_URL"];

export async function freshDevVars(originUrl = "http://127.0.0.1:8788", alg = "EdDSA") {
  return {
    ADMIN_TOKEN: randomBytes(32).toString("base64url"),
    ASSERTION_PRIVATE_JWK: JSON.stringify(await newSigningJwk(alg)),
    ORIGIN_URL: originUrl,
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

/** Creates `path` with fresh secrets when it is missing; returns true when it did. */
export async function ensureDevVars(path = DEFAULT_DEV_VARS) {
  if (existsSync(path)) return false;
  const vars = await freshDevVars();
  const lines = [
    "# Local secrets for `wrangler dev`, created by `npm run dev`. Never commit this file.",
    ...Object.entries(vars).map(([name, value]) => `${name}='${value}'`),
    "",
  ];
  writeFileSync(path, lines.join("\n"), { mode: 0o600 });
  return true;
}

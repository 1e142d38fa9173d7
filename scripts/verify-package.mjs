/**
 * `npm run test:package`: the verifier as an origin team installs it. Packs `@neariq/edge-verify`
 * (`npm pack`), installs the tarball into a scratch project outside this repository, and there
 * verifies an assertion signed as the edge signs it, and refuses a test assertion at a live origin.
 * Exits non-zero on any failure. CI runs it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const scratch = mkdtempSync(join(tmpdir(), "edge-verify-"));
const npm = (args, cwd) => execFileSync("npm", args, { cwd, stdio: ["ignore", "pipe", "inherit"] }).toString();

npm(["pack", "-w", "@neariq/edge-verify", "--pack-destination", scratch, "--silent"], root);
const tarball = readdirSync(scratch).find((f) => f.endsWith(".tgz"));
if (!tarball) throw new Error("npm pack made no tarball");
writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "origin-team", private: true, type: "module" }));
npm(["install", "--no-audit", "--no-fund", "--prefer-offline", `./${tarball}`], scratch);

writeFileSync(
  join(scratch, "check.mjs"),
  `import { createVerifier, AssertionError } from "@neariq/edge-verify";
import { SignJWT, generateKeyPair, exportJWK } from "jose";
const { privateKey, publicKey } = await generateKeyPair("EdDSA", { extractable: true });
const keys = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "EdDSA" }] };
const iat = Math.floor(Date.now() / 1000);
const sign = (mode) => new SignJWT({ iss: "neariq-edge", aud: "http://origin.test", sub: "acme", key_id: "key_1",
  scope: "competitors:read", plan: "pro", jti: "r1", htm: "GET", htu: "/v1/competitors", iat, exp: iat + 60, mode })
  .setProtectedHeader({ alg: "EdDSA", kid: "k1" }).sign(privateKey);
const verify = createVerifier({ keys, audience: "http://origin.test" });
const request = (token) => ({ method: "GET", url: "/v1/competitors", headers: { "x-neariq-auth-assertion": token } });
const claims = await verify(request(await sign("live")));
if (claims.sub !== "acme" || claims.mode !== "live") throw new Error("the live assertion did not verify as expected");
try {
  await verify(request(await sign("test")));
  throw new Error("a live origin accepted a test assertion");
} catch (error) {
  if (!(error instanceof AssertionError) || error.code !== "wrong_mode") throw error;
}
console.log("edge-verify from its packed tarball: verified a live assertion, refused a test one");
`,
);
process.stdout.write(execFileSync(process.execPath, ["check.mjs"], { cwd: scratch }).toString());

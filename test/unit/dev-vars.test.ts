import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureDevVars, parseDevVars } from "../../scripts/dev-vars.mjs";

describe("npm run dev's .dev.vars", () => {
  it("is created with fresh, usable secrets when missing, readable only by its owner", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "devvars-")), ".dev.vars");
    expect(await ensureDevVars(path)).toBe(true);
    const vars = parseDevVars(readFileSync(path, "utf8"));
    expect(vars.ADMIN_TOKEN?.length).toBeGreaterThanOrEqual(32);
    expect(vars.ORIGIN_URL).toBe("http://127.0.0.1:8788");
    const jwk = JSON.parse(vars.ASSERTION_PRIVATE_JWK ?? "{}");
    expect(jwk).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
    expect(typeof jwk.d).toBe("string");
    expect(jwk.kid).toMatch(/^local-[0-9a-f]{8}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const other = join(mkdtempSync(join(tmpdir(), "devvars-")), ".dev.vars");
    await ensureDevVars(other);
    expect(parseDevVars(readFileSync(other, "utf8")).ADMIN_TOKEN).not.toBe(vars.ADMIN_TOKEN);
  });

  it("is left alone when it exists", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "devvars-")), ".dev.vars");
    writeFileSync(path, "ADMIN_TOKEN='mine'\n");
    expect(await ensureDevVars(path)).toBe(false);
    expect(readFileSync(path, "utf8")).toBe("ADMIN_TOKEN='mine'\n");
  });
});

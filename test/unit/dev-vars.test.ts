import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureDevVars, parseDevVars } from "../../scripts/dev-vars.mjs";

describe("npm run dev's .dev.vars", () => {
  it("is created with fresh, usable secrets when missing, readable only by its owner", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "devvars-")), ".dev.vars");
    expect(await ensureDevVars(path)).toBe("created");
    const vars = parseDevVars(readFileSync(path, "utf8"));
    expect(vars.ADMIN_TOKEN?.length).toBeGreaterThanOrEqual(32);
    expect(vars.ORIGIN_URL).toBe("http://127.0.0.1:8788");
    expect(vars.ORIGIN_TEST_URL).toBe("http://127.0.0.1:8790");
    expect(vars.EVENTS_WEBHOOK_URL).toBe("http://127.0.0.1:8789/webhooks/neariq");
    // whsec_ and padded standard base64 of 24 to 64 bytes.
    expect(vars.EVENTS_WEBHOOK_SECRET).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from((vars.EVENTS_WEBHOOK_SECRET ?? "").slice(6), "base64").length).toBe(32);
    const jwk = JSON.parse(vars.ASSERTION_PRIVATE_JWK ?? "{}");
    expect(jwk).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
    expect(typeof jwk.d).toBe("string");
    expect(jwk.kid).toMatch(/^local-[0-9a-f]{8}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const other = join(mkdtempSync(join(tmpdir(), "devvars-")), ".dev.vars");
    await ensureDevVars(other);
    expect(parseDevVars(readFileSync(other, "utf8")).ADMIN_TOKEN).not.toBe(vars.ADMIN_TOKEN);
  });

  it("keeps every value an existing file has, and adds only the names it lacks", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "devvars-")), ".dev.vars");
    writeFileSync(path, "ADMIN_TOKEN='mine'\n");
    expect(await ensureDevVars(path)).toBe("completed");
    const text = readFileSync(path, "utf8");
    expect(text.startsWith("ADMIN_TOKEN='mine'\n")).toBe(true);
    const vars = parseDevVars(text);
    expect(vars.ADMIN_TOKEN).toBe("mine");
    expect(Object.keys(vars).sort()).toEqual(
      [
        "ADMIN_TOKEN",
        "ASSERTION_PRIVATE_JWK",
        "EVENTS_WEBHOOK_SECRET",
        "EVENTS_WEBHOOK_URL",
        "ORIGIN_TEST_URL",
        "ORIGIN_URL",
      ].sort(),
    );
    expect(await ensureDevVars(path)).toBe(null);
    expect(readFileSync(path, "utf8")).toBe(text);
  });
});

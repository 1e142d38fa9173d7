/**
 * @module
 * The admin API (docs/api.md#for-the-dashboard-backend-the-admin-api), for the dashboard backend only: accounts and their plans, and the
 * creation, listing and revocation of keys. Every change goes through the account's authority.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../app-env";
import { forgetUnknownKey } from "../auth/isolate-memory";
import { askAuthority, authorityFor, changeDeadline } from "../authority/client";
import type { AuthorityResult, Rolled, StoredKey } from "../authority/types";
import { ProblemError } from "../http/problem";
import { generateKey, keyHint } from "../keys/format";
import { sha256Hex } from "../keys/hash";
import { readJsonBody } from "./body";
import { guardAdmin } from "./guard";
import { openApiDocument } from "./openapi";
import { presentAccount, presentCreatedKey, presentKey, rfc3339 } from "./present";
import { parseNewKeyBody, parsePlanBody, parseRollBody, validAccountId } from "./validate";

const MAX_KEY_ID_LENGTH = 64;

function accountIdOf(c: Context<AppEnv>): string {
  return validAccountId(c.req.param("account_id") ?? "");
}

/** Admin calls may wait out the authority's leases before they answer. */
function adminDeadline(c: Context<AppEnv>): number {
  return changeDeadline(c.var.state.config);
}

function unwrap<T>(result: AuthorityResult<T>): T {
  if (result.ok) return result.value;
  if (result.code === "unknown_account") {
    throw new ProblemError("unknown_account", "No account with this id; PUT its plan first.");
  }
  if (result.code === "key_rolled") {
    throw new ProblemError("key_rolled", "This key has been rolled already; roll its successor instead.");
  }
  if (result.code === "key_inactive") {
    throw new ProblemError("key_inactive", "This key is revoked or expired; create a new key instead.");
  }
  throw new ProblemError("unknown_key", "This account has no key with this id.");
}

function keyIdOf(c: Context<AppEnv>): string {
  const keyId = c.req.param("key_id") ?? "";
  if (keyId.length > MAX_KEY_ID_LENGTH) throw new ProblemError("unknown_key", "This account has no key with this id.");
  return keyId;
}

/** A new key for `prefix`: the key (shown once), its hash and its hint. */
async function newKeyMaterial(prefix: string) {
  const key = generateKey(prefix);
  const hash = await sha256Hex(key);
  return { key, hash, hint: keyHint(key, prefix) };
}

function logRoute(c: Context<AppEnv>, route: string, accountId: string): void {
  c.var.state.log.route = route;
  c.var.state.log.account_id = accountId;
}

export const adminApi = new Hono<AppEnv>();

adminApi.use("*", guardAdmin);

adminApi.put("/accounts/:account_id", async (c) => {
  const accountId = accountIdOf(c);
  logRoute(c, "PUT /_admin/accounts/{account_id}", accountId);
  const { plan, limits } = parsePlanBody(await readJsonBody(c.req.raw));
  const account = await askAuthority(
    () => authorityFor(c.env, accountId).setPlan(accountId, plan, limits),
    adminDeadline(c),
  );
  return c.json(presentAccount(account));
});

adminApi.get("/accounts/:account_id", async (c) => {
  const accountId = accountIdOf(c);
  logRoute(c, "GET /_admin/accounts/{account_id}", accountId);
  const account = await askAuthority(() => authorityFor(c.env, accountId).getAccount(), adminDeadline(c));
  if (!account) throw new ProblemError("unknown_account", "No account with this id.");
  return c.json(presentAccount(account));
});

adminApi.post("/accounts/:account_id/keys", async (c) => {
  const accountId = accountIdOf(c);
  logRoute(c, "POST /_admin/accounts/{account_id}/keys", accountId);
  const request = parseNewKeyBody(await readJsonBody(c.req.raw), Date.now());
  const { key, hash, hint } = await newKeyMaterial(c.var.state.config.keyPrefix);
  const created = unwrap(
    await askAuthority<AuthorityResult<StoredKey>>(
      () => authorityFor(c.env, accountId).createKey({ hash, hint, ...request }),
      adminDeadline(c),
    ),
  );
  forgetUnknownKey(hash);
  c.var.state.log.key_id = created.id;
  return c.json(presentCreatedKey(created, key), 201);
});

adminApi.get("/accounts/:account_id/keys", async (c) => {
  const accountId = accountIdOf(c);
  logRoute(c, "GET /_admin/accounts/{account_id}/keys", accountId);
  const keys = unwrap(
    await askAuthority<AuthorityResult<StoredKey[]>>(() => authorityFor(c.env, accountId).listKeys(), adminDeadline(c)),
  );
  return c.json({ keys: keys.map(presentKey) });
});

adminApi.delete("/accounts/:account_id/keys/:key_id", async (c) => {
  const accountId = accountIdOf(c);
  logRoute(c, "DELETE /_admin/accounts/{account_id}/keys/{key_id}", accountId);
  const keyId = keyIdOf(c);
  const revoked = unwrap(
    await askAuthority<AuthorityResult<{ id: string; revokedAt: number }>>(
      () => authorityFor(c.env, accountId).revokeKey(keyId),
      adminDeadline(c),
    ),
  );
  c.var.state.log.key_id = revoked.id;
  return c.json({ id: revoked.id, revoked_at: rfc3339(revoked.revokedAt) });
});

adminApi.post("/accounts/:account_id/keys/:key_id/roll", async (c) => {
  const accountId = accountIdOf(c);
  logRoute(c, "POST /_admin/accounts/{account_id}/keys/{key_id}/roll", accountId);
  const keyId = keyIdOf(c);
  const request = parseRollBody(await readJsonBody(c.req.raw), Date.now());
  const { key, hash, hint } = await newKeyMaterial(c.var.state.config.keyPrefix);
  const rolled = unwrap(
    await askAuthority<AuthorityResult<Rolled>>(
      () => authorityFor(c.env, accountId).rollKey(keyId, { hash, hint, ...request }),
      adminDeadline(c),
    ),
  );
  forgetUnknownKey(hash);
  c.var.state.log.key_id = rolled.key.id;
  return c.json(
    {
      ...presentCreatedKey(rolled.key, key),
      rolled_from: rolled.old.id,
      old_key: { id: rolled.old.id, expires_at: rfc3339(rolled.old.expiresAt) },
    },
    201,
  );
});

adminApi.get("/openapi.json", (c) => {
  c.var.state.log.route = "GET /_admin/openapi.json";
  return c.json(openApiDocument());
});

adminApi.all("*", () => {
  throw new ProblemError("unknown_route", "No admin route for this method and path.");
});

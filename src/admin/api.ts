/**
 * @module
 * The admin API (docs/api.md#for-the-dashboard-backend-the-admin-api), for the dashboard backend
 * only: accounts, their plans and closing; keys (create, list, roll, revoke); usage and events.
 * Every call goes through the account's authority; every change names its actor (`X-NearIQ-Actor`).
 */
import { type Context, Hono } from "hono";
import { forgetUnknownKey } from "../admission/isolate-memory";
import { askAuthority, authorityFor, changeDeadline } from "../authority/client";
import { presentAccount, presentCreatedKey, presentKey, presentUsage, rfc3339 } from "../authority/present";
import type { AuthorityResult, Rolled, StoredKey } from "../authority/types";
import type { UsageAnswer } from "../authority/usage-ledger";
import type { AccountEvent } from "../domain/events";
import type { KeyMode } from "../domain/policy";
import type { AppEnv } from "../http/app-env";
import { ProblemError } from "../http/problem";
import { generateKey, keyHint } from "../keys/format";
import { sha256Hex } from "../keys/hash";
import { readJsonBody } from "./body";
import { guardAdmin } from "./guard";
import { openApiDocument } from "./openapi";
import { actorOf, parseEventsQuery, parseUsageQuery } from "./queries";
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

/** The prefix of a new key of `mode`. */
function prefixFor(c: Context<AppEnv>, mode: KeyMode): string {
  const { config } = c.var.state;
  return mode === "test" ? config.testKeyPrefix : config.keyPrefix;
}

/** A new key for `prefix`: the key (shown once), its hash and its hint. */
async function newKeyMaterial(prefix: string) {
  const key = generateKey(prefix);
  const hash = await sha256Hex(key);
  return { key, hash, hint: keyHint(key, prefix) };
}

/** The account a call is about, for its log line (the route is logged from the route it matched). */
function logAccount(c: Context<AppEnv>, accountId: string): void {
  c.var.state.log.account_id = accountId;
}

export const adminApi = new Hono<AppEnv>();

adminApi.use("*", guardAdmin);

adminApi.put("/accounts/:account_id", async (c) => {
  const actor = actorOf(c.req.raw.headers);
  const accountId = accountIdOf(c);
  logAccount(c, accountId);
  const { plan, limits } = parsePlanBody(await readJsonBody(c.req.raw));
  const account = await askAuthority(
    () => authorityFor(c.env, accountId).setPlan(accountId, plan, limits, actor),
    adminDeadline(c),
  );
  return c.json(presentAccount(account));
});

adminApi.get("/accounts/:account_id", async (c) => {
  const accountId = accountIdOf(c);
  logAccount(c, accountId);
  const account = await askAuthority(() => authorityFor(c.env, accountId).getAccount(), adminDeadline(c));
  if (!account) throw new ProblemError("unknown_account", "No account with this id.");
  return c.json(presentAccount(account));
});

adminApi.post("/accounts/:account_id/keys", async (c) => {
  const actor = actorOf(c.req.raw.headers);
  const accountId = accountIdOf(c);
  logAccount(c, accountId);
  const request = parseNewKeyBody(await readJsonBody(c.req.raw), Date.now());
  const { key, hash, hint } = await newKeyMaterial(prefixFor(c, request.mode));
  const created = unwrap(
    await askAuthority<AuthorityResult<StoredKey>>(
      () => authorityFor(c.env, accountId).createKey({ hash, hint, ...request }, actor),
      adminDeadline(c),
    ),
  );
  forgetUnknownKey(hash);
  c.var.state.log.key_id = created.id;
  return c.json(presentCreatedKey(created, key), 201);
});

adminApi.get("/accounts/:account_id/keys", async (c) => {
  const accountId = accountIdOf(c);
  logAccount(c, accountId);
  const keys = unwrap(
    await askAuthority<AuthorityResult<StoredKey[]>>(() => authorityFor(c.env, accountId).listKeys(), adminDeadline(c)),
  );
  return c.json({ keys: keys.map(presentKey) });
});

adminApi.delete("/accounts/:account_id/keys/:key_id", async (c) => {
  const actor = actorOf(c.req.raw.headers);
  const accountId = accountIdOf(c);
  logAccount(c, accountId);
  const keyId = keyIdOf(c);
  const revoked = unwrap(
    await askAuthority<AuthorityResult<{ id: string; revokedAt: number }>>(
      () => authorityFor(c.env, accountId).revokeKey(keyId, actor),
      adminDeadline(c),
    ),
  );
  c.var.state.log.key_id = revoked.id;
  return c.json({ id: revoked.id, revoked_at: rfc3339(revoked.revokedAt) });
});

adminApi.post("/accounts/:account_id/keys/:key_id/roll", async (c) => {
  const actor = actorOf(c.req.raw.headers);
  const accountId = accountIdOf(c);
  logAccount(c, accountId);
  const keyId = keyIdOf(c);
  const request = parseRollBody(await readJsonBody(c.req.raw), Date.now());
  // The new key keeps the old one's mode: its material is made for both, and the authority picks.
  const live = await newKeyMaterial(c.var.state.config.keyPrefix);
  const test = await newKeyMaterial(c.var.state.config.testKeyPrefix);
  const material = (m: typeof live) => ({ hash: m.hash, hint: m.hint });
  const rolled = unwrap(
    await askAuthority<AuthorityResult<Rolled>>(
      () =>
        authorityFor(c.env, accountId).rollKey(
          keyId,
          { live: material(live), test: material(test), ...request },
          actor,
        ),
      adminDeadline(c),
    ),
  );
  const { key, hash } = rolled.key.mode === "test" ? test : live;
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

adminApi.delete("/accounts/:account_id", async (c) => {
  const actor = actorOf(c.req.raw.headers);
  const accountId = accountIdOf(c);
  logAccount(c, accountId);
  const closed = unwrap(
    await askAuthority<AuthorityResult<{ closedAt: number; keysRevoked: number }>>(
      () => authorityFor(c.env, accountId).closeAccount(actor),
      adminDeadline(c),
    ),
  );
  return c.json({ account_id: accountId, closed_at: rfc3339(closed.closedAt), keys_revoked: closed.keysRevoked });
});

adminApi.get("/accounts/:account_id/usage", async (c) => {
  const accountId = accountIdOf(c);
  logAccount(c, accountId);
  const query = parseUsageQuery(new URL(c.req.url).searchParams, Date.now());
  const usage = unwrap(
    await askAuthority<AuthorityResult<UsageAnswer>>(
      () => authorityFor(c.env, accountId).usageOf(query),
      adminDeadline(c),
    ),
  );
  return c.json(presentUsage(accountId, query, usage));
});

adminApi.get("/accounts/:account_id/events", async (c) => {
  const accountId = accountIdOf(c);
  logAccount(c, accountId);
  const query = parseEventsQuery(new URL(c.req.url).searchParams);
  const page = unwrap(
    await askAuthority<AuthorityResult<{ events: AccountEvent[]; next: string | null }>>(
      () => authorityFor(c.env, accountId).eventsOf(query),
      adminDeadline(c),
    ),
  );
  return c.json(page);
});

adminApi.get("/openapi.json", (c) => {
  return c.json(openApiDocument());
});

adminApi.all("*", () => {
  throw new ProblemError("unknown_route", "No admin route for this method and path.");
});

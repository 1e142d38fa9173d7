/**
 * @module
 * Changes to the account itself, each in one transaction with its events and the KV records it
 * owes (docs/api.md#closing-an-account, docs/events.md): setting its plan and limits, and closing
 * it. Synchronous: the façade (key-authority.ts) then writes KV through and waits out the leases.
 */
import type { LimitsOverride, Plan } from "../domain/policy";
import { isUsable, toAccount } from "./key-rows";
import { presentAccount } from "./present";
import type { AuthorityStore } from "./store";
import type { Account } from "./types";

/**
 * Creates the account or sets its plan and limits, recording `account.created` or, when what is in
 * force changed, `account.updated`. Returns the account as it now is.
 */
export function putAccount(
  store: AuthorityStore,
  accountId: string,
  plan: Plan,
  override: LimitsOverride | null,
  actor: string | null,
): Account {
  const { rows, events } = store;
  const limits = override === null || Object.keys(override).length === 0 ? null : JSON.stringify(override);
  const before = store.account();
  const after = toAccount({ account_id: accountId, plan, limits, quota_exhausted_day: null, closed_at: null });
  const now = Date.now();
  store.ctx.storage.transactionSync(() => {
    rows.putAccount(accountId, plan, limits, now);
    const current = presentAccount(after);
    if (!before) {
      events.record(accountId, "account.created", actor, { plan, limits: current.limits }, now);
    } else if (before.plan !== plan || JSON.stringify(before.limits) !== JSON.stringify(after.limits)) {
      const previous = { plan: before.plan, limits: presentAccount(before).limits };
      events.record(accountId, "account.updated", actor, { plan, limits: current.limits, previous }, now);
    }
  });
  return after;
}

/**
 * Marks the account closed (every check from now on finds no account), owes KV the removal of its
 * keys' records and records `account.closed`, in one transaction. Returns how many keys were usable.
 */
export function closeAccount(store: AuthorityStore, account: Account, actor: string | null, now: number): number {
  const { rows, outbox, events } = store;
  const keys = rows.all();
  const keysRevoked = keys.filter((row) => isUsable(row, now)).length;
  store.ctx.storage.transactionSync(() => {
    store.write("UPDATE account SET closed_at = ?", now);
    for (const row of keys) outbox.enqueueRemoval(row.hash);
    events.record(account.accountId, "account.closed", actor, { keys_revoked: keysRevoked }, now);
  });
  return keysRevoked;
}

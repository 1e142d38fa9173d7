/**
 * @module
 * What the parts of an account's authority share: its storage and the ledgers over it. The Durable
 * Object class (key-authority.ts) builds one and hands it to the modules that do each duty.
 */
import type { EventLog } from "./event-log";
import type { KeyRows } from "./key-rows";
import type { LeaseLedger } from "./lease-ledger";
import type { Outbox } from "./outbox";
import type { SqlQuotaStore } from "./sql-quota-store";
import type { Account } from "./types";
import type { UsageLedger } from "./usage-ledger";

/** Counters a test or the benchmark reads through `runInDurableObject`. */
export interface AuthorityStats {
  checks: number;
  rowsWritten: number;
  /** Writes of a key's last-used minute (at most one per key per minute). */
  lastUsedWrites: number;
  kvWrites: number;
}

export interface AuthorityStore {
  readonly ctx: DurableObjectState;
  readonly rows: KeyRows;
  readonly events: EventLog;
  readonly usage: UsageLedger;
  readonly outbox: Outbox;
  readonly quota: SqlQuotaStore;
  readonly leases: LeaseLedger;
  readonly stats: AuthorityStats;
  /** Runs a statement and counts the rows it wrote. */
  write(query: string, ...bindings: (string | number | null)[]): number;
  /** The account, or `null` when it was never `PUT` or has been closed. */
  account(): Account | null;
  /** After a change: events handed on in the background, the alarm set for what is owed next. */
  afterChange(): void;
}

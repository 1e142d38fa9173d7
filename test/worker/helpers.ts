/**
 * Helpers for tests inside workerd: talk to the edge as a client would, manage accounts and keys
 * through the admin API, and ask the test origin what it received.
 */
import { env, exports } from "cloudflare:workers";
import { vi } from "vitest";
import { type ReceivedRequest, TEST_ORIGIN_PORT } from "../support/origin-contract";

function secret(name: string): string {
  const value = (env as unknown as Record<string, unknown>)[name];
  if (typeof value !== "string") throw new Error(`test binding ${name} is missing`);
  return value;
}

/** The run's secrets, made fresh by vitest.config.ts (test/support/test-secrets.ts). */
/**
 * Runs per property over HTTP inside workerd (each run is a request or two): enough to find the
 * seeded bugs of test/mutants/mutants.mjs, few enough to keep `npm test` within its budget.
 */
export const PROPERTY_RUNS = 300;

export const ADMIN_TOKEN = secret("ADMIN_TOKEN");
export const SIGNING_JWK = secret("ASSERTION_PRIVATE_JWK");
export const PREVIOUS_SIGNING_JWK = secret("TEST_PREVIOUS_PRIVATE_JWK");

export const EDGE = "http://edge.test";
export const ORIGIN = `http://127.0.0.1:${TEST_ORIGIN_PORT}`;

export function edge(path: string, init: RequestInit = {}): Promise<Response> {
  // As a client that sees the edge's answer itself: redirects are not followed.
  return exports.default.fetch(new Request(EDGE + path, { redirect: "manual", ...init }));
}

/** A call to the edge with an API key. */
export function withKey(key: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("X-NearIQ-Key", key);
  return edge(path, { ...init, headers });
}

export async function admin(
  method: string,
  path: string,
  body?: unknown,
  headers: HeadersInit = {},
): Promise<Response> {
  const h = new Headers(headers);
  if (!h.has("authorization")) h.set("Authorization", `Bearer ${ADMIN_TOKEN}`);
  const init: RequestInit = { method, headers: h };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const res = await edge(`/_admin${path}`, init);
  await recordAdminAnswer(method, `/_admin${path}`, res.clone());
  return res;
}

/**
 * Sends an admin answer to the test origin, which keeps it; at the end of the run every one is
 * checked against docs/openapi.json (test/support/global-setup.ts), so that the two cannot drift.
 */
async function recordAdminAnswer(method: string, path: string, res: Response): Promise<void> {
  const text = await res.text();
  await fetch(`${ORIGIN}/__admin-answer`, {
    method: "POST",
    body: JSON.stringify({
      method,
      path: path.split("?")[0],
      status: res.status,
      contentType: res.headers.get("content-type"),
      body: text,
    }),
  });
}

/** Tells the test origin about a key the tests created, for the suite-wide leak check. */
export async function registerCreatedKey(key: string): Promise<void> {
  await fetch(`${ORIGIN}/__created-key?key=${encodeURIComponent(key)}`);
}

/** A unique tag to put in a URL, so that the origin's log can be searched for it. */
export function tag(): string {
  return `t${crypto.randomUUID().replaceAll("-", "")}`;
}

/** Limits that meter nothing: for tests of leases and costs that must not be mixed with quota leases. */
export const UNMETERED = { per_minute: null, per_day: null };

export async function newAccount(plan: "starter" | "pro" | "agency" = "agency", limits?: unknown): Promise<string> {
  const accountId = `acct_${tag()}`;
  const res = await admin("PUT", `/accounts/${accountId}`, limits === undefined ? { plan } : { plan, limits });
  if (res.status !== 200) throw new Error(`PUT account: ${res.status} ${await res.text()}`);
  return accountId;
}

export interface CreatedKey {
  id: string;
  key: string;
  name: string | null;
  scopes: string[];
  created_at: string;
  expires_at: string | null;
  rate_limit_per_minute: number | null;
}

export async function newKey(accountId: string, body: unknown = {}): Promise<CreatedKey> {
  const res = await admin("POST", `/accounts/${accountId}/keys`, body);
  if (res.status !== 201) throw new Error(`POST key: ${res.status} ${await res.text()}`);
  const created = (await res.json()) as CreatedKey;
  await registerCreatedKey(created.key);
  return created;
}

/** An account on `plan` with one key holding `scopes` (default: the default set). */
export async function newAccountWithKey(
  plan: "starter" | "pro" | "agency" = "agency",
  body: unknown = {},
  limits?: unknown,
): Promise<{ accountId: string } & CreatedKey> {
  const accountId = await newAccount(plan, limits);
  return { accountId, ...(await newKey(accountId, body)) };
}

/** The account's keys as the admin key list shows them, by id. */
export async function keyList(accountId: string): Promise<Record<string, Record<string, unknown>>> {
  const { keys } = (await (await admin("GET", `/accounts/${accountId}/keys`)).json()) as {
    keys: Record<string, unknown>[];
  };
  return Object.fromEntries(keys.map((k) => [k.id as string, k]));
}

/** Every request the test origin received whose URL contains `marker`. */
export async function received(marker: string): Promise<ReceivedRequest[]> {
  const res = await fetch(`${ORIGIN}/__received?contains=${encodeURIComponent(marker)}`);
  return res.json();
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  request_id: string;
  [extension: string]: unknown;
}

/** The problem+json body of `res`, checked for the fields every error carries. */
export async function problemOf(res: Response): Promise<Problem> {
  const contentType = res.headers.get("content-type");
  if (contentType !== "application/problem+json") throw new Error(`not problem+json: ${contentType} ${res.status}`);
  const body = (await res.json()) as Problem;
  for (const field of ["type", "title", "detail", "code", "request_id"]) {
    if (typeof body[field] !== "string") throw new Error(`problem without ${field}`);
  }
  if (body.status !== res.status) throw new Error(`problem status ${body.status} != ${res.status}`);
  if (body.request_id !== res.headers.get("x-neariq-request-id")) throw new Error("request_id mismatch");
  return body;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits for the next UTC minute when fewer than `needMs` are left of this one: for a test on the real
 * clock whose requests must all fall in one minute's window (a new window would admit again).
 * The test needs a timeout of `needMs` beyond its own time (vitest's default is 5 s).
 */
export async function inOneMinute(needMs = 10_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await sleep(left + 50);
}

/** Freezes the clock (Date only) at `offsetMs` into a minute, at least a minute from now, and returns that time. */
export function freezeInFreshMinute(offsetMs = 1_000): number {
  const minute = 60_000;
  const now = Date.now();
  const at = now - (now % minute) + 2 * minute + offsetMs;
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at);
  return at;
}

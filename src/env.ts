/**
 * @module
 * The Worker's bindings, secrets and vars (docs/configuration.md), typed and checked once per isolate.
 * A missing or unusable value becomes `misconfigured`, never a crash, and no value is ever echoed.
 */
import { HAND_IN_MS } from "./domain/usage";
import { keyLikePattern } from "./keys/format";

/**
 * `Env` from `wrangler types` (worker-configuration.d.ts) with the secrets and optional vars typed
 * as what they are: possibly missing (the types are generated with the names `npm run dev` puts in
 * `.dev.vars`, so that `wrangler dev` finds them current).
 */
export interface Bindings
  extends Omit<
    Env,
    | "ADMIN_TOKEN"
    | "ASSERTION_PRIVATE_JWK"
    | "ORIGIN_URL"
    | "ORIGIN_TEST_URL"
    | "EVENTS_WEBHOOK_URL"
    | "EVENTS_WEBHOOK_SECRET"
  > {
  /** Base URL requests are forwarded to; must be an absolute http(s) URL. */
  ORIGIN_URL?: string;
  /** Bearer token of the dashboard backend; at least 32 characters, else the admin API is off. */
  ADMIN_TOKEN?: string;
  /** Private signing JWK (EC P-256 or OKP Ed25519) as a JSON string, with a `kid`. */
  ASSERTION_PRIVATE_JWK?: string;
  /** Public JWK of the previous signing key, still published during a rotation. */
  ASSERTION_PREVIOUS_PUBLIC_JWK?: string;
  /** `aud` of the assertion; default: the origin of `ORIGIN_URL`. */
  ASSERTION_AUDIENCE?: string;
  /** Where GitHub publishes the keys that sign leaked-key reports (docs/leak-reports.md). */
  SECRET_SCANNING_KEYS_URL?: string;
  /** Optional: sent as a bearer token with fetches of the keys document (GitHub's limit for anonymous fetches is 60 an hour). */
  SECRET_SCANNING_GITHUB_TOKEN?: string;
  /** Where events are delivered, and the Standard Webhooks secret that signs them (docs/events.md). */
  EVENTS_WEBHOOK_URL?: string;
  EVENTS_WEBHOOK_SECRET?: string;
  /** The prefix of test keys (docs/test-keys.md); default `niq_test_`. */
  TEST_KEY_PREFIX?: string;
  /** The sandbox origin test keys reach (docs/test-keys.md); must be an absolute http(s) URL. */
  ORIGIN_TEST_URL?: string;
  /** At most how long after counting it an isolate hands usage in (ms, ≤ 10000; tests make it short). */
  USAGE_HAND_IN_MS?: string;
}

export const DEFAULT_SECRET_SCANNING_KEYS_URL = "https://api.github.com/meta/public_keys/secret_scanning";

export interface EdgeConfig {
  readonly keyPrefix: string;
  /** The prefix of test keys (docs/test-keys.md). */
  readonly testKeyPrefix: string;
  /** Both prefixes: a key is one of them and 38 base62 characters. */
  readonly keyPrefixes: readonly string[];
  /** Anything that looks like a key, live or test: a prefix and 32 or more base62 characters. */
  readonly keyPattern: RegExp;
  /** `null` when `ORIGIN_URL` is missing or not an absolute http(s) URL. */
  readonly originUrl: URL | null;
  /** The sandbox origin of test keys; `null` when `ORIGIN_TEST_URL` is unset or unusable. */
  readonly originTestUrl: URL | null;
  readonly originTimeoutMs: number;
  /** How long an isolate may reuse the authority's "this key is active" answer. */
  readonly authLeaseMs: number;
  /** How long a KV read or an authority call may take before the edge fails closed. */
  readonly authTimeoutMs: number;
  readonly audience: string | null;
  /** `null` when `ADMIN_TOKEN` is unset or too short. */
  readonly adminToken: string | null;
  readonly secretScanningKeysUrl: string;
  /** How long after counting it an isolate hands usage in at the latest (**our choice** of knob: `USAGE_HAND_IN_MS`, default 10000). */
  readonly usageHandInMs: number;
  /** `null` when `SECRET_SCANNING_GITHUB_TOKEN` is unset or empty. */
  readonly secretScanningToken: string | null;
}

export const MIN_ADMIN_TOKEN_LENGTH = 32;

function parseOriginUrl(value: string | undefined): URL | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

function parseDuration(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number(value);
  return Number.isSafeInteger(parsed) && parsed >= 0 ? parsed : fallback;
}

const cache = new WeakMap<object, EdgeConfig>();

/**
 * The edge's configuration, read from `env` once per isolate (and once per distinct env object).
 *
 * @example
 * readConfig(env).originTimeoutMs // 30000 unless ORIGIN_TIMEOUT_MS says otherwise
 */
export function readConfig(env: Bindings): EdgeConfig {
  const cached = cache.get(env);
  if (cached) return cached;
  const originUrl = parseOriginUrl(env.ORIGIN_URL);
  const token = env.ADMIN_TOKEN;
  const keyPrefix = env.KEY_PREFIX || "niq_live_";
  const testKeyPrefix = env.TEST_KEY_PREFIX || "niq_test_";
  const config: EdgeConfig = {
    keyPrefix,
    testKeyPrefix,
    keyPrefixes: [keyPrefix, testKeyPrefix],
    keyPattern: keyLikePattern(keyPrefix, testKeyPrefix),
    originUrl,
    originTestUrl: parseOriginUrl(env.ORIGIN_TEST_URL),
    originTimeoutMs: parseDuration(env.ORIGIN_TIMEOUT_MS, 30_000),
    authLeaseMs: parseDuration(env.AUTH_LEASE_MS, 2_000),
    authTimeoutMs: parseDuration(env.AUTH_TIMEOUT_MS, 2_000),
    audience: env.ASSERTION_AUDIENCE || (originUrl ? originUrl.origin : null),
    adminToken: token && token.length >= MIN_ADMIN_TOKEN_LENGTH ? token : null,
    secretScanningKeysUrl: env.SECRET_SCANNING_KEYS_URL || DEFAULT_SECRET_SCANNING_KEYS_URL,
    secretScanningToken: env.SECRET_SCANNING_GITHUB_TOKEN || null,
    usageHandInMs: Math.min(parseDuration(env.USAGE_HAND_IN_MS, HAND_IN_MS), HAND_IN_MS),
  };
  cache.set(env, config);
  return config;
}

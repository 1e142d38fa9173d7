/**
 * @module
 * Verifies `X-NearIQ-Auth-Assertion` in an origin service, on Node ≥ 20 or on Workers: the
 * signature (against the edge's JWKS, cached, or a given key set), `iss`, `aud`, `iat`/`exp` with a
 * small clock skew, and that `htm`/`htu` match the request it arrived on, so that an assertion
 * cannot be replayed against another method or path.
 *
 * @example
 * import { createVerifier } from "@neariq/edge-verify";
 * const verify = createVerifier({ jwksUrl: "https://edge.example.com/.well-known/jwks.json", audience: "https://api.internal" });
 * const claims = await verify(request); // throws AssertionError
 */
import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, jwtVerify } from "jose";

export const ASSERTION_HEADER = "x-neariq-auth-assertion";
export const ASSERTION_ISSUER = "neariq-edge";

export interface VerifyOptions {
  /** The `aud` the edge signs for: its `ASSERTION_AUDIENCE`, by default the origin of `ORIGIN_URL`. */
  readonly audience: string;
  /** The edge's `/.well-known/jwks.json`; fetched once and cached (refreshed on an unknown `kid`). */
  readonly jwksUrl?: string | URL;
  /** Or a key set you hold yourself. */
  readonly keys?: JSONWebKeySet;
  /** Allowed clock skew, in seconds (default 5). */
  readonly clockToleranceSeconds?: number;
  /**
   * Which keys this origin serves: `live` (the default) or `test` (a sandbox origin). An assertion
   * of the other mode is refused with `wrong_mode`, so that a test key never reaches live data.
   * Assertions without a `mode` claim (edges before test keys) count as `live`.
   */
  readonly mode?: NearIQMode;
}

export type NearIQMode = "live" | "test";

/** The claims of a verified assertion. */
export interface NearIQClaims {
  readonly iss: string;
  readonly aud: string | string[];
  /** The account id. */
  readonly sub: string;
  readonly key_id: string;
  /** Space-separated, sorted. */
  readonly scope: string;
  readonly scopes: readonly string[];
  readonly plan: string;
  readonly iat: number;
  readonly exp: number;
  /** The edge's request id. */
  readonly jti: string;
  readonly htm: string;
  readonly htu: string;
  /** `live` or `test`: the mode of the key that made the request. */
  readonly mode: NearIQMode;
}

export type AssertionErrorCode =
  | "missing_assertion"
  | "invalid_assertion"
  | "expired_assertion"
  | "request_mismatch"
  | "wrong_mode";

export class AssertionError extends Error {
  constructor(
    readonly code: AssertionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "AssertionError";
  }
}

/** A Fetch `Request`, or anything shaped like Node's `IncomingMessage`. */
export interface RequestLike {
  readonly method?: string;
  readonly url?: string;
  readonly headers: Headers | Readonly<Record<string, string | readonly string[] | undefined>>;
}

function headerOf(request: RequestLike, name: string): string | null {
  const { headers } = request;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
  const value = (headers as Record<string, string | readonly string[] | undefined>)[name];
  if (value === undefined) return null;
  return typeof value === "string" ? value : value.join(", ");
}

/** Path and query of the request as the origin received it. */
function pathAndQuery(request: RequestLike): string {
  const url = request.url ?? "/";
  if (url.startsWith("/")) return url;
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

const MAX_LIFETIME_SECONDS = 120;

function stringClaim(payload: Record<string, unknown>, name: string): string {
  const value = payload[name];
  if (typeof value !== "string") throw new AssertionError("invalid_assertion", `claim ${name} is missing`);
  return value;
}

/**
 * A verifier bound to one key source; keep it for the life of the process so that the JWKS
 * cache is reused.
 */
export function createVerifier(options: VerifyOptions): (request: RequestLike) => Promise<NearIQClaims> {
  const keySource = options.keys
    ? createLocalJWKSet(options.keys)
    : options.jwksUrl
      ? createRemoteJWKSet(new URL(options.jwksUrl))
      : null;
  if (!keySource) throw new TypeError("createVerifier needs jwksUrl or keys");
  if (!options.audience) throw new TypeError("createVerifier needs audience");
  const clockTolerance = options.clockToleranceSeconds ?? 5;

  return async function verify(request: RequestLike): Promise<NearIQClaims> {
    const token = headerOf(request, ASSERTION_HEADER);
    if (!token) throw new AssertionError("missing_assertion", "no X-NearIQ-Auth-Assertion header");
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keySource, {
        issuer: ASSERTION_ISSUER,
        audience: options.audience,
        algorithms: ["ES256", "EdDSA", "Ed25519"],
        clockTolerance,
        maxTokenAge: MAX_LIFETIME_SECONDS + clockTolerance,
        requiredClaims: ["iat", "exp", "sub", "jti"],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        throw new AssertionError("expired_assertion", "the assertion has expired");
      throw new AssertionError("invalid_assertion", "the assertion does not verify");
    }
    const iat = payload.iat as number;
    const exp = payload.exp as number;
    if (exp - iat > MAX_LIFETIME_SECONDS) {
      throw new AssertionError("invalid_assertion", "the assertion lives longer than 120 s");
    }
    const htm = stringClaim(payload, "htm");
    const htu = stringClaim(payload, "htu");
    if (htm !== (request.method ?? "GET").toUpperCase() || htu !== pathAndQuery(request)) {
      throw new AssertionError("request_mismatch", "the assertion was issued for another request");
    }
    const mode = payload.mode === undefined ? "live" : payload.mode;
    if (mode !== "live" && mode !== "test") throw new AssertionError("invalid_assertion", "claim mode is malformed");
    if (mode !== (options.mode ?? "live")) {
      throw new AssertionError("wrong_mode", `a ${mode} assertion at a ${options.mode ?? "live"} origin`);
    }
    const scope = stringClaim(payload, "scope");
    return {
      iss: stringClaim(payload, "iss"),
      aud: payload.aud as string | string[],
      sub: stringClaim(payload, "sub"),
      key_id: stringClaim(payload, "key_id"),
      scope,
      scopes: scope === "" ? [] : scope.split(" "),
      plan: stringClaim(payload, "plan"),
      iat,
      exp,
      jti: stringClaim(payload, "jti"),
      htm,
      htu,
      mode,
    };
  };
}

const verifiers = new Map<string, (request: RequestLike) => Promise<NearIQClaims>>();

/**
 * One-call verification; verifiers (and their JWKS caches) are kept per JWKS URL and audience.
 *
 * @example
 * const claims = await verifyAssertion(req, { jwksUrl, audience: "http://127.0.0.1:8788" });
 */
export function verifyAssertion(request: RequestLike, options: VerifyOptions): Promise<NearIQClaims> {
  if (options.keys) return createVerifier(options)(request);
  const cacheKey = `${String(options.jwksUrl)} ${options.audience} ${options.clockToleranceSeconds ?? ""} ${options.mode ?? "live"}`;
  let verify = verifiers.get(cacheKey);
  if (!verify) {
    verify = createVerifier(options);
    verifiers.set(cacheKey, verify);
  }
  return verify(request);
}

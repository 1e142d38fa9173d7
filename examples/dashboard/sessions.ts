/**
 * @module
 * The dashboard's memory of who is signed in, bounded so that nobody without a session can make it
 * grow: sessions expire when idle (30 min) and at the latest 12 h after sign-in, at most 1,000 are
 * kept (the oldest goes first), and a sign-in form's token is good for one sign-in, within 10 min,
 * with at most 1,000 outstanding.
 */

export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_MAX_AGE_MS = 12 * 60 * 60 * 1000;
export const MAX_SESSIONS = 1_000;
export const SIGNIN_TOKEN_TTL_MS = 10 * 60 * 1000;
export const MAX_SIGNIN_TOKENS = 1_000;

export interface Session {
  readonly accountId: string;
  readonly csrf: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

export function randomToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/** Drops the oldest entries of an insertion-ordered map until it holds at most `max`. */
function capTo<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) map.delete(map.keys().next().value as K);
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.sessions.size;
  }

  /** A new session for `accountId`; returns its id (the cookie's value). */
  open(accountId: string): string {
    const id = randomToken();
    const at = this.now();
    this.sessions.set(id, { accountId, csrf: randomToken(), createdAt: at, lastSeenAt: at });
    capTo(this.sessions, MAX_SESSIONS);
    return id;
  }

  /** The session behind `id`, if it has neither been idle too long nor lived too long; marks it seen. */
  find(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const at = this.now();
    if (at - session.lastSeenAt >= SESSION_IDLE_MS || at - session.createdAt >= SESSION_MAX_AGE_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = at;
    return session;
  }

  close(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }
}

/** Tokens of sign-in forms: each good for one sign-in. */
export class SignInTokens {
  private readonly issued = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(): string {
    const token = randomToken();
    this.issued.set(token, this.now());
    capTo(this.issued, MAX_SIGNIN_TOKENS);
    return token;
  }

  /** Whether `token` was issued, within its time, and not used before; it is used up either way. */
  redeem(token: unknown): boolean {
    if (typeof token !== "string") return false;
    const issuedAt = this.issued.get(token);
    this.issued.delete(token);
    return issuedAt !== undefined && this.now() - issuedAt < SIGNIN_TOKEN_TTL_MS;
  }
}

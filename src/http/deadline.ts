/**
 * @module
 * A deadline for a call to a dependency, so that a stalled one never holds a request forever.
 */

export class DeadlineExceeded extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = "DeadlineExceeded";
  }
}

/**
 * `promise`, or a rejection with {@link DeadlineExceeded} after `ms`.
 *
 * @example
 * await withDeadline(env.API_KEYS.get(k), 2000, "KV");
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(what, ms)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => {
    if (timer !== null) clearTimeout(timer);
  });
}

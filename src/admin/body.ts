/**
 * @module
 * Reads an admin request's JSON body, at most 64 KB (docs/api.md#for-the-dashboard-backend-the-admin-api), declared or streamed.
 */
import { parseJsonBytes, readBodyBytes } from "../http/read-body";

export const MAX_ADMIN_BODY_BYTES = 65_536;

/**
 * The parsed JSON body, `undefined` for an empty one; `payload_too_large` over the limit,
 * `invalid_request` for anything that is not UTF-8 JSON.
 *
 * @example
 * const body = await readJsonBody(c.req.raw);
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  return parseJsonBytes(await readBodyBytes(request, MAX_ADMIN_BODY_BYTES));
}

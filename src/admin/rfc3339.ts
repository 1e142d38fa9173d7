/**
 * @module
 * RFC 3339 date-times as the admin API accepts them (docs/api.md#for-the-dashboard-backend-the-admin-api): any offset, `T`/`t`, `Z`/`z`,
 * fractions kept to the millisecond, a leap second read as the next minute's start. Pure.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Epoch milliseconds of an RFC 3339 date-time (any offset), or `null` when it is not one. */
export function parseRfc3339(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return null;
  if (hour > 23 || minute > 59 || second > 60) return null;
  let offsetMinutes = 0;
  if (m[9]) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const fraction = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  // A leap second (:60) counts as the first moment of the next minute.
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, fraction);
  return utc - offsetMinutes * 60_000;
}

/** The latest time accepted: later ones have no RFC 3339 form to answer with. */
export const LATEST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/** Earliest and latest instants accepted as event time: anything outside is a client bug. */
const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);

/**
 * Turns an ISO-8601 string or epoch milliseconds into epoch milliseconds, or `undefined` when the
 * value is neither or lies outside 2000–2100.
 */
export function toEpochMillis(value: unknown): number | undefined {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && value.length <= 64) ms = Date.parse(value);
  else return undefined;
  if (!Number.isFinite(ms) || ms < MIN_MS || ms >= MAX_MS) return undefined;
  return Math.trunc(ms);
}

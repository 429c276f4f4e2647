import { CollectorError } from '../errors';
import { QUERY_DEFAULTS } from './defaults';
import type { TimeInput } from './types';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

/** A Date, epoch milliseconds or an ISO-8601 string, to epoch milliseconds. */
export function toMillis(value: TimeInput, what: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new CollectorError('config', `${what} "${String(value)}" is not a time: pass a Date, epoch milliseconds or an ISO-8601 string`);
  }
  return ms;
}

/** `from`/`to` with their defaults (`to` = now, `from` = 30 days before `to`), checked to be in order. */
export function resolveRange(from: TimeInput | undefined, to: TimeInput | undefined, now: number): { from: number; to: number } {
  const end = to === undefined ? now : toMillis(to, 'to');
  const start = from === undefined ? end - QUERY_DEFAULTS.sinceMs : toMillis(from, 'from');
  if (start >= end) {
    throw new CollectorError('config', `from (${new Date(start).toISOString()}) must be before to (${new Date(end).toISOString()})`);
  }
  return { from: start, to: end };
}

/** Epoch ms as a ClickHouse `DateTime64(3, 'UTC')` parameter value. */
export function toClickHouseTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** UTC Monday 00:00 on or before `ms`. */
function mondayOf(ms: number): number {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  return day - weekday * DAY_MS;
}

export type Grain = 'hour' | 'day' | 'week';

export const GRAIN_MS: Record<Grain, number> = { hour: HOUR_MS, day: DAY_MS, week: WEEK_MS };

/** Start of the UTC hour, day or ISO week (Monday) that holds `ms`. */
export function floorTo(ms: number, grain: Grain): number {
  if (grain === 'week') return mondayOf(ms);
  const size = GRAIN_MS[grain];
  return Math.floor(ms / size) * size;
}

/** The smallest bucket boundary at or after `ms`. */
export function ceilTo(ms: number, grain: Grain): number {
  const floor = floorTo(ms, grain);
  return floor === ms ? ms : floor + GRAIN_MS[grain];
}

/** Bucket starts from `start` (inclusive) to `end` (exclusive), both aligned; bounded by maxBuckets. */
export function bucketStarts(start: number, end: number, grain: Grain): number[] {
  const size = GRAIN_MS[grain];
  const count = Math.max(0, Math.ceil((end - start) / size));
  if (count > QUERY_DEFAULTS.maxBuckets) {
    throw new CollectorError(
      'config',
      `that range holds ${count} ${grain}s, more than ${QUERY_DEFAULTS.maxBuckets}: use a shorter range or a coarser interval`,
    );
  }
  return Array.from({ length: count }, (_, i) => start + i * size);
}

export function isAligned(ms: number, grain: Grain): boolean {
  return floorTo(ms, grain) === ms;
}

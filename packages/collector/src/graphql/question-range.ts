import { CollectorError } from '../errors';
import { parseDuration } from '../duration';
import { DAY_MS, ceilTo, floorTo, toMillis } from '../query/time-range';
import { QUERY_API_DEFAULTS } from './defaults';

/** How a question names its range: `since: "14d"`, or `from` (and optionally `to`). */
export interface RangeArgs {
  since?: string | null;
  from?: string | null;
  to?: string | null;
}

/**
 * The one definition of a range that every GraphQL field and every dashboard panel uses: whole UTC
 * days. `from` rounds down to 00:00 UTC of its day; `to` (exclusive) rounds up to the next 00:00
 * UTC, and defaults to the end of today; `since: "14d"` is the 14 days that end with today. So
 * trends (by day or hour) and top events count exactly the same events.
 */
export function questionRange(args: RangeArgs, now: number): { from: number; to: number } {
  const since = args.since ?? undefined;
  const fromArg = args.from ?? undefined;
  if (since !== undefined && fromArg !== undefined) {
    throw new CollectorError('config', 'pass either since (such as "14d") or from (such as "2024-03-01"), not both');
  }
  const to = args.to === undefined || args.to === null ? floorTo(now, 'day') + DAY_MS : ceilTo(toMillis(args.to, 'to'), 'day');
  const from =
    fromArg !== undefined
      ? floorTo(toMillis(fromArg, 'from'), 'day')
      : floorTo(to - parseDuration(since ?? QUERY_API_DEFAULTS.since, 'since'), 'day');
  if (from >= to) {
    throw new CollectorError('config', `from (${new Date(from).toISOString().slice(0, 10)}) must be before to (${new Date(to).toISOString().slice(0, 10)}, exclusive): widen the range`);
  }
  return { from, to };
}

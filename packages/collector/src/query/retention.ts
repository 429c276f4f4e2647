import { CollectorError } from '../errors';
import type { QueryScope, SqlQuery } from './sql';
import { actorGroupsById, actorPrelude, columns } from './actors';
import { createParams, resolveActor, TIME } from './sql';
import type { Grain } from './time-range';
import { bucketStarts, ceilTo, floorTo, GRAIN_MS, toClickHouseTime } from './time-range';
import type { Actor, RetentionCohort, RetentionPeriod, RetentionResult } from './types';

export interface RetentionQuestion {
  start: string;
  returning: string;
  period: RetentionPeriod;
  periods: number;
  /** Any time; widened to whole periods. */
  from: number;
  to: number;
  by?: Actor;
}

export interface RetentionRow {
  cohort: string;
  /** -1 for the cohort's size, else the period offset. */
  k: number;
  actors: number;
}

/** Whole periods that overlap [from, to): cohort starts, and where returning activity stops being read. */
export function retentionWindow(q: RetentionQuestion): { start: number; end: number; until: number } {
  if (!Number.isInteger(q.periods) || q.periods < 0 || q.periods > 366) {
    throw new CollectorError('config', `periods ${q.periods} must be a whole number from 0 to 366`);
  }
  if (q.period !== 'day' && q.period !== 'week') {
    throw new CollectorError('config', `period "${String(q.period)}" must be day or week`);
  }
  const grain: Grain = q.period;
  const start = floorTo(q.from, grain);
  const end = ceilTo(q.to, grain);
  return { start, end, until: end + q.periods * GRAIN_MS[grain] };
}

/**
 * Cohort sizes (`k = -1`) and, per cohort and offset, how many members came back, in one pass over
 * the actors' events (`events_by_id` for people; one resolution of people, one GROUP BY actor): an actor joins the cohort of the period
 * of their first `start` event in [start, end), and counts once at each offset k (0 to `periods`)
 * whose period holds a `returning` event of theirs, however many rows (or duplicate rows) it has.
 * Reading the two events in one scan, instead of cohorts joined to returns, took about half the time
 * by person on 10M events (BENCHMARKS.md).
 */
export function buildRetentionQuery(scope: QueryScope, q: RetentionQuestion): SqlQuery {
  const { start, end, until } = retentionWindow(q);
  const actor = resolveActor(q.by);
  const p = createParams(scope);
  const periodOf = (expr: string): string => (q.period === 'day' ? `toDate(${expr})` : `toMonday(${expr})`);
  const first = p.add('String', q.start);
  const returning = p.add('String', q.returning);
  const { from: events, source } = actorGroupsById(p, actor, columns('event', 'timestamp'), `${p.projectFilter()}event IN (${first}, ${returning})
      AND timestamp >= ${p.add(TIME, toClickHouseTime(start))} AND timestamp < ${p.add(TIME, toClickHouseTime(until))}`);
  const startsBefore = p.add(TIME, toClickHouseTime(end));
  const days = p.add('UInt32', q.period === 'day' ? 1 : 7);
  const offsets = `arrayFilter(k -> k <= ${p.add('Int32', q.periods)},
    arrayMap(x -> toInt32(intDiv(dateDiff('day', joined, x), ${days})), arrayFilter(x -> x >= joined, returned)))`;
  const query = `${actorPrelude(p, actor)}SELECT toString(joined) AS cohort, k, count() AS actors
FROM (
  SELECT ${periodOf('minIf(timestamp, is_start)')} AS joined, groupUniqArrayIf(${periodOf('timestamp')}, is_return) AS returned
  FROM (
    SELECT actor, timestamp, event = ${first} AND timestamp < ${startsBefore} AS is_start, event = ${returning} AS is_return
    FROM ${events}
  )
  GROUP BY actor
  HAVING countIf(is_start) > 0
)
ARRAY JOIN arrayPushFront(${offsets}, toInt32(-1)) AS k
GROUP BY joined, k`;
  return { query, params: p.values, source };
}

/** Rows → one cohort per period in range (empty ones included), cells after `now` as null. */
export function retentionCohorts(q: RetentionQuestion, rows: readonly RetentionRow[], now: number): RetentionResult {
  const { start, end } = retentionWindow(q);
  const grain: Grain = q.period;
  const size = GRAIN_MS[grain];
  const byCohort = new Map<string, RetentionCohort>();
  const cohorts = bucketStarts(start, end, grain).map((ms) => {
    const cohortStart = ms;
    const cohort: RetentionCohort = {
      cohort: new Date(ms).toISOString().slice(0, 10),
      size: 0,
      retained: Array.from({ length: q.periods + 1 }, (_, k) => (cohortStart + k * size > now ? null : 0)),
      rates: [],
    };
    byCohort.set(cohort.cohort, cohort);
    return cohort;
  });
  for (const row of rows) {
    const cohort = byCohort.get(row.cohort);
    if (!cohort) continue;
    if (row.k < 0) cohort.size = row.actors;
    else if (row.k <= q.periods && cohort.retained[row.k] !== null) cohort.retained[row.k] = row.actors;
  }
  for (const cohort of cohorts) {
    cohort.rates = cohort.retained.map((n) => (n === null ? null : cohort.size === 0 ? 0 : n / cohort.size));
  }
  return { period: q.period, periods: q.periods, cohorts };
}

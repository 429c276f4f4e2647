import { CollectorError } from '../errors';
import { actorGroups, actorGroupsById, actorPrelude, columns } from './actors';
import type { Params, QueryScope, SqlQuery } from './sql';
import { createParams, eventFilter, resolveActor, TIME } from './sql';
import { bucketStarts, ceilTo, floorTo, toClickHouseTime } from './time-range';
import type { Actor, ColumnBreakdown, QuerySource, TrendInterval, TrendSeries, TrendsResult } from './types';
import { TABLES } from '../clickhouse/tables';

export interface TrendsQuestion {
  events?: readonly string[];
  interval: TrendInterval;
  from: number;
  to: number;
  breakdown?: string;
  users?: boolean;
  /** Who `users` counts; a person by default. */
  by?: Actor;
}

export interface TrendRow {
  /** Bucket start, epoch seconds. */
  t: number;
  event: string;
  value?: string;
  n_events: number;
  n_users?: number;
}

const COLUMN_BREAKDOWNS: readonly ColumnBreakdown[] = ['utm_source', 'utm_medium', 'utm_campaign', 'page_path'];

export function isColumnBreakdown(value: string | undefined): value is ColumnBreakdown {
  return COLUMN_BREAKDOWNS.includes(value as ColumnBreakdown);
}

/**
 * Which table answers a trend. Rollups hold an event count and a uniq state of distinct_id per
 * bucket; the count is what `events` holds once its duplicates are merged away (re-sent batches are
 * deduplicated in the rollups too; docs/storage.md has the one exception):
 * - no breakdown: `events_hourly` (by hour, or its hours merged into days). It has no per-path or
 *   per-campaign rows, so it stays small for long ranges;
 * - a utm_* or page_path breakdown by day: `events_daily`, which has those dimensions;
 * - by hour with such a breakdown, or by any property: `events` (no rollup has those);
 * - user counts of anything but distinct_id (people by default), since the rollups' uniq states are
 *   of distinct_id and a person is only known at read time: people from `events_by_id` (see
 *   `actorGroupsById`), other columns from `events`. Without a breakdown the event counts beside
 *   them come from `events_hourly`, as the same trend without users has them; with one, from
 *   `events`, which has the breakdown's columns.
 */
export function trendsSource(q: Pick<TrendsQuestion, 'interval' | 'breakdown' | 'users' | 'by'>): QuerySource {
  if (usersApart(q)) return q.breakdown === undefined && resolveActor(q.by) === 'person' ? TABLES.eventsById : TABLES.events;
  if (q.breakdown === undefined) return TABLES.hourly;
  if (isColumnBreakdown(q.breakdown) && q.interval === 'day') return TABLES.daily;
  return TABLES.events;
}

/** Whether users are counted apart from the events: any actor but distinct_id, whose uniq states the rollups hold. */
function usersApart(q: Pick<TrendsQuestion, 'users' | 'by'>): boolean {
  return q.users === true && resolveActor(q.by) !== 'distinct_id';
}

/** Every whole bucket that overlaps [from, to). */
export function trendsWindow(q: Pick<TrendsQuestion, 'interval' | 'from' | 'to'>): { start: number; end: number } {
  if (q.interval !== 'hour' && q.interval !== 'day') {
    throw new CollectorError('config', `interval "${String(q.interval)}" must be hour or day`);
  }
  return { start: floorTo(q.from, q.interval), end: ceilTo(q.to, q.interval) };
}

function breakdownExpr(p: Params, breakdown: string): string {
  if (isColumnBreakdown(breakdown)) return breakdown;
  if (breakdown.length === 0 || breakdown.length > 200) {
    throw new CollectorError('config', 'a property breakdown needs a property name of 1 to 200 characters');
  }
  return `toString(getSubcolumn(properties, ${p.add('String', breakdown)}))`;
}

export function buildTrendsQuery(scope: QueryScope, q: TrendsQuestion): SqlQuery {
  const source = trendsSource(q);
  // Counted apart from the users (see trendsSource), events come from the rollup unless broken down.
  const apart = usersApart(q);
  const countsFrom = apart && q.breakdown === undefined ? TABLES.hourly : source;
  const { start, end } = trendsWindow(q);
  const p = createParams(scope);
  const day = q.interval === 'day';
  const byTime = {
    bucket: day ? 'toStartOfDay(timestamp)' : 'toStartOfHour(timestamp)',
    range: `timestamp >= ${p.add(TIME, toClickHouseTime(start))} AND timestamp < ${p.add(TIME, toClickHouseTime(end))}`,
  };
  let bucket: string;
  let range: string;
  let counts: string;
  let value = '';
  if (countsFrom === TABLES.hourly) {
    bucket = day ? 'toStartOfDay(hour)' : 'hour';
    range = `hour >= ${p.add(TIME, toClickHouseTime(start))} AND hour < ${p.add(TIME, toClickHouseTime(end))}`;
    counts = `sum(events) AS n_events${q.users && !apart ? ', uniqMerge(users) AS n_users' : ''}`;
  } else if (countsFrom === TABLES.daily) {
    bucket = "toDateTime(day, 'UTC')";
    const date = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
    range = `day >= ${p.add('Date', date(start))} AND day < ${p.add('Date', date(end))}`;
    counts = `sum(events) AS n_events${q.users ? ', uniqMerge(users) AS n_users' : ''}`;
  } else {
    ({ bucket, range } = byTime);
    counts = 'uniqExact(message_id) AS n_events';
  }
  const breakdown = q.breakdown === undefined ? undefined : source === TABLES.events ? breakdownExpr(p, q.breakdown) : q.breakdown;
  if (breakdown !== undefined) value = `, ${breakdown} AS value`;
  const where = `${p.projectFilter()}${eventFilter(p, q.events)} AND ${range}`;
  const time = `toUInt32(toUnixTimestamp(${bucket}))`;
  const group = `GROUP BY t, event${value ? ', value' : ''}`;
  if (!apart) {
    const query = `SELECT ${time} AS t, event${value}, ${counts}\nFROM ${p.table(source)}\nWHERE ${where}\n${group}`;
    return { query, params: p.values, source };
  }
  // Users: each event's actor (a person, or the column), counted per bucket with uniqExact.
  const actor = resolveActor(q.by);
  const actorTime = `toUInt32(toUnixTimestamp(${byTime.bucket}))`;
  const keys = [
    { name: 't', expr: actorTime },
    ...columns('event'),
    ...(breakdown === undefined ? [] : [{ name: 'value', expr: breakdown }]),
  ];
  const actorWhere = `${p.projectFilter()}${eventFilter(p, q.events)} AND ${byTime.range}`;
  // Without a breakdown the keys need only `event` and `timestamp`, which people read from events_by_id.
  const actors = breakdown === undefined ? actorGroupsById(p, actor, keys, actorWhere).from : actorGroups(p, actor, keys, actorWhere);
  const names = keys.map((k) => k.name);
  const on = names.map((n) => `u.${n} = c.${n}`).join(' AND ');
  const query = `${actorPrelude(p, actor)}SELECT ${names.map((n) => `c.${n} AS ${n}`).join(', ')}, c.n_events AS n_events, u.n_users AS n_users
FROM (
  SELECT ${time} AS t, event${value}, ${counts}
  FROM ${p.table(countsFrom)}
  WHERE ${where}
  ${group}
) AS c
LEFT JOIN (
  SELECT ${names.join(', ')}, uniqExact(actor) AS n_users
  FROM ${actors}
  GROUP BY ${names.join(', ')}
) AS u ON ${on}`;
  return { query, params: p.values, source };
}

/** Rows → zero-filled series, one per event (and breakdown value), largest total first. */
export function trendsSeries<E extends string>(q: TrendsQuestion, source: QuerySource, rows: readonly TrendRow[]): TrendsResult & { series: Array<TrendSeries & { event: E }> } {
  const { start, end } = trendsWindow(q);
  const starts = bucketStarts(start, end, q.interval);
  const index = new Map(starts.map((ms, i) => [ms / 1000, i]));
  const series = new Map<string, TrendSeries & { event: E }>();
  for (const row of rows) {
    const i = index.get(row.t);
    if (i === undefined) continue;
    const key = q.breakdown === undefined ? row.event : `${row.event}\u0000${row.value ?? ''}`;
    let s = series.get(key);
    if (!s) {
      s = { event: row.event as E, counts: starts.map(() => 0), total: 0 };
      if (q.breakdown !== undefined) s.breakdown = row.value ?? '';
      if (q.users) s.users = starts.map(() => 0);
      series.set(key, s);
    }
    s.counts[i] = (s.counts[i] ?? 0) + row.n_events;
    if (s.users) s.users[i] = (s.users[i] ?? 0) + (row.n_users ?? 0);
    s.total += row.n_events;
  }
  const sorted = [...series.values()].sort(
    (a, b) => b.total - a.total || a.event.localeCompare(b.event) || (a.breakdown ?? '').localeCompare(b.breakdown ?? ''),
  );
  return { interval: q.interval, source, buckets: starts.map((ms) => new Date(ms).toISOString()), series: sorted };
}

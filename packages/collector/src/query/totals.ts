import { CollectorError } from '../errors';
import { actorGroupsById, actorPrelude, columns } from './actors';
import type { Params, QueryScope, SqlQuery } from './sql';
import { createParams, eventFilter, resolveActor, TIME } from './sql';
import { ceilTo, floorTo, toClickHouseTime } from './time-range';
import type { Actor, QuerySource } from './types';
import { TABLES } from '../clickhouse/tables';

export interface TotalsQuestion {
  from: number;
  to: number;
  events?: readonly string[];
  /** Who `users` counts: a person by default; only `distinct_id` can be read from the rollups. */
  by?: Actor;
}

/**
 * Per event over exactly [from, to), for any actor but distinct_id: the event count as the rollups
 * give it (see `statesByEvent`), and the distinct actors from `events` (people from `events_by_id`;
 * a person is only known at read time, so no rollup holds people).
 */
function actorsByEvent(p: Params, q: TotalsQuestion, actor: Actor): { prelude: string; sql: string; source: QuerySource } {
  const where = `${p.projectFilter()}${eventFilter(p, q.events)}
    AND timestamp >= ${p.add(TIME, toClickHouseTime(q.from))} AND timestamp < ${p.add(TIME, toClickHouseTime(q.to))}`;
  const { sql: states } = statesByEvent(p, q);
  const actors = actorGroupsById(p, actor, columns('event'), where);
  return {
    source: actors.source,
    prelude: actorPrelude(p, actor),
    sql: `SELECT c.event AS event, c.n_events AS n_events, u.n_users AS n_users
FROM (
  SELECT event, sum(e) AS n_events FROM (
  ${states}
  ) GROUP BY event
) AS c
LEFT JOIN (
  SELECT event, uniqExact(actor) AS n_users
  FROM ${actors.from}
  GROUP BY event
) AS u ON u.event = c.event`,
  };
}

/**
 * Per event over exactly [from, to): the event count (`e`) and the uniq state of distinct_id (`u`).
 * Whole hours come from `events_hourly` (its counts); the ragged ends before the first and after
 * the last whole hour from `events`, counted as distinct messageIds (so a duplicate not yet merged
 * away counts once there). A range inside one hour reads `events` alone. Callers `sum(e)` and
 * `uniqMerge(u)` by event.
 */
function statesByEvent(p: Params, q: TotalsQuestion): { sql: string; source: typeof TABLES.events | typeof TABLES.hourly } {
  const project = p.projectFilter();
  const events = eventFilter(p, q.events);
  const first = ceilTo(q.from, 'hour');
  const last = floorTo(q.to, 'hour');
  const time = (ms: number): string => p.add(TIME, toClickHouseTime(ms));
  if (first >= last) {
    return {
      source: TABLES.events,
      sql: `SELECT event, uniqExact(message_id) AS e, uniqState(distinct_id) AS u
  FROM ${p.table(TABLES.events)}
  WHERE ${project}${events} AND timestamp >= ${time(q.from)} AND timestamp < ${time(q.to)}
  GROUP BY event`,
    };
  }
  return {
    source: TABLES.hourly,
    sql: `SELECT event, toUInt64(events) AS e, users AS u
  FROM ${p.table(TABLES.hourly)}
  WHERE ${project}${events} AND hour >= ${time(first)} AND hour < ${time(last)}
  UNION ALL
  SELECT event, uniqExact(message_id) AS e, uniqState(distinct_id) AS u
  FROM ${p.table(TABLES.events)}
  WHERE ${project}${events}
    AND ((timestamp >= ${time(q.from)} AND timestamp < ${time(first)}) OR (timestamp >= ${time(last)} AND timestamp < ${time(q.to)}))
  GROUP BY event`,
  };
}

export function buildTopEventsQuery(scope: QueryScope, q: TotalsQuestion & { limit: number }): SqlQuery {
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > 10_000) {
    throw new CollectorError('config', `limit ${q.limit} must be a whole number from 1 to 10000`);
  }
  const actor = resolveActor(q.by);
  const p = createParams(scope);
  if (actor !== 'distinct_id') {
    const { prelude, sql, source } = actorsByEvent(p, q, actor);
    const query = `${prelude}${sql}
ORDER BY n_events DESC, event ASC
LIMIT ${p.add('UInt32', q.limit)}`;
    return { query, params: p.values, source };
  }
  const { sql, source } = statesByEvent(p, q);
  const query = `SELECT event, sum(e) AS n_events, uniqMerge(u) AS n_users
FROM (
  ${sql}
)
GROUP BY event
ORDER BY n_events DESC, event ASC
LIMIT ${p.add('UInt32', q.limit)}`;
  return { query, params: p.values, source };
}

export function buildUniqueUsersQuery(scope: QueryScope, q: TotalsQuestion): SqlQuery {
  const actor = resolveActor(q.by);
  const p = createParams(scope);
  if (actor !== 'distinct_id') {
    const where = `${p.projectFilter()}${eventFilter(p, q.events)}
    AND timestamp >= ${p.add(TIME, toClickHouseTime(q.from))} AND timestamp < ${p.add(TIME, toClickHouseTime(q.to))}`;
    const actors = actorGroupsById(p, actor, [], where);
    const query = `${actorPrelude(p, actor)}SELECT uniqExact(actor) AS n_users
FROM ${actors.from}`;
    return { query, params: p.values, source: actors.source };
  }
  const { sql, source } = statesByEvent(p, q);
  const query = `SELECT uniqMerge(u) AS n_users
FROM (
  ${sql}
)`;
  return { query, params: p.values, source };
}

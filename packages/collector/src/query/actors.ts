import type { GroupKey } from './persons';
import { personGroups, personsPrelude, personTimeline } from './persons';
import type { Params } from './sql';
import type { Actor, QuerySource } from './types';
import { TABLES } from '../clickhouse/tables';

/**
 * What a person-level query needs before its SELECT (the identity graph as `WITH RECURSIVE`), or
 * nothing for a column actor. Emit it once per statement, however many `actorEvents` it uses.
 */
export function actorPrelude(p: Params, actor: Actor): string {
  return actor === 'person' ? personsPrelude(p) : '';
}

/**
 * A subquery of the events matching `where`, with an `actor` column (who is counted) and the given
 * columns of `events`. Events with no actor (an empty `user_id` of an anonymous event, say) are left
 * out, so callers count every actor they get. A person is a UInt64 key (see persons.ts), a column
 * actor the column's string: compare actors only with actors.
 */
export function actorEvents(p: Params, actor: Actor, columns: readonly string[], where: string): string {
  return actorGroups(p, actor, columns.map((c) => ({ name: c, expr: c })), where);
}

/**
 * As `actorEvents`, with computed `keys` (a time bucket, a breakdown) in place of plain columns: one
 * row per event, which callers count with `uniqExact(actor)` per key. Reducing the rows with
 * DISTINCT first cost 2–3.5× the CPU on 10M events (BENCHMARKS.md), since uniqExact's hash sets of
 * actors are cheaper than a DISTINCT over every (id, key) pair.
 */
export function actorGroups(p: Params, actor: Actor, keys: readonly GroupKey[], where: string): string {
  if (actor === 'person') return personGroups(p, keys, where);
  return `(
    SELECT ${actor} AS actor${keys.map((k) => `, ${k.expr} AS ${k.name}`).join('')}
    FROM ${p.table(TABLES.events)}
    WHERE (${where}) AND ${actor} != ''
  )`;
}

/**
 * An actor's `event` and `timestamp` per event matching `where`, for questions that a repeated row
 * cannot change (funnels, retention): a person's are read from `events_by_id`, which holds just
 * these, ordered by id (see ddl-events-by-id.ts), so `where` may use only `project`, `event` and
 * `timestamp`. Returns the subquery and the table it reads.
 */
export function actorTimeline(p: Params, actor: Actor, where: string): { from: string; source: QuerySource } {
  return actor === 'person'
    ? { from: personTimeline(p, where), source: TABLES.eventsById }
    : { from: actorEvents(p, actor, ['event', 'timestamp'], where), source: TABLES.events };
}

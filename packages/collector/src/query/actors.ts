import type { GroupKey } from './persons';
import { personGroups, personGroupsById, personsPrelude, selectKeys } from './persons';
import type { Params } from './sql';
import type { Actor, QuerySource } from './types';
import { TABLES } from '../clickhouse/tables';

/**
 * What a person-level query needs before its SELECT (the identity graph as `WITH RECURSIVE`), or
 * nothing for a column actor. Emit it once per statement, however many `actorGroups` it uses.
 */
export function actorPrelude(p: Params, actor: Actor): string {
  return actor === 'person' ? personsPrelude(p) : '';
}

/**
 * A subquery of the events matching `where`, with an `actor` column (who is counted) and `keys`
 * computed (a plain column is a key whose expression is its name): one row per event, which callers
 * count with `uniqExact(actor)` per key. Events with no actor (an empty `user_id` of an anonymous
 * event, say) are left out, so callers count every actor they get. A person is a UInt64 key (see
 * persons.ts), a column actor the column's string: compare actors only with actors.
 *
 * Reducing the rows with DISTINCT first cost 2–3.5× the CPU on 10M events (BENCHMARKS.md), since
 * uniqExact's hash sets of actors are cheaper than a DISTINCT over every (id, key) pair.
 */
export function actorGroups(p: Params, actor: Actor, keys: readonly GroupKey[], where: string): string {
  if (actor === 'person') return personGroups(p, keys, where);
  return `(
    SELECT ${actor} AS actor${selectKeys(keys)}
    FROM ${p.table(TABLES.events)}
    WHERE (${where}) AND ${actor} != ''
  )`;
}

/**
 * As `actorGroups`, for answers that a repeated row cannot change: the deepest funnel step, whether
 * someone came back, how many distinct actors. A person's rows are read from `events_by_id`, which
 * holds only each event's id key, name and time, ordered by id (see ddl-events-by-id.ts), so `keys`
 * and `where` may use only `project`, `event` and `timestamp`. Returns the subquery and the table it
 * reads.
 */
export function actorGroupsById(p: Params, actor: Actor, keys: readonly GroupKey[], where: string): { from: string; source: QuerySource } {
  return actor === 'person'
    ? { from: personGroupsById(p, keys, where), source: TABLES.eventsById }
    : { from: actorGroups(p, actor, keys, where), source: TABLES.events };
}

/** Plain columns as group keys. */
export function columns(...names: string[]): GroupKey[] {
  return names.map((name) => ({ name, expr: name }));
}

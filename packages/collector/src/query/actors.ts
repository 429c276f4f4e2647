import type { GroupKey } from './persons';
import { personEvents, personGroups, personsPrelude } from './persons';
import type { Params } from './sql';
import type { Actor } from './types';
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
  if (actor === 'person') return personEvents(p, columns, where);
  const passed = columns.length > 0 ? `, ${columns.join(', ')}` : '';
  return `(
    SELECT ${actor} AS actor${passed}
    FROM ${p.table(TABLES.events)}
    WHERE (${where}) AND ${actor} != ''
  )`;
}

/**
 * The distinct actors and `keys` of the events matching `where`, events with no actor left out: what
 * a count of actors needs, in fewer rows than `actorEvents` gives. Counting events stays with the caller (`uniqExact(message_id)`
 * over `events`), since per-group message sets would cost more than they save.
 */
export function actorGroups(p: Params, actor: Actor, keys: readonly GroupKey[], where: string): string {
  if (actor === 'person') return personGroups(p, keys, where);
  return `(
    SELECT DISTINCT ${actor} AS actor${keys.map((k) => `, ${k.expr} AS ${k.name}`).join('')}
    FROM ${p.table(TABLES.events)}
    WHERE (${where}) AND ${actor} != ''
  )`;
}

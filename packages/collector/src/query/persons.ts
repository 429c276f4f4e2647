import type { Params } from './sql';
import { idKey } from '../clickhouse/id-key';
import { TABLES } from '../clickhouse/tables';

/**
 * Resolves every event to its person at read time, from the identity graph that materialized views
 * keep (`identity_links`, `identity_aliases`; docs/identity.md states the rules). Reading the graph
 * at query time is what makes linking retroactive: an event stored before its ids were linked
 * counts for the person as soon as the link lands.
 *
 * For one event:
 * 1. the id it is counted under (its userId, else its anonymousId) follows its alias chain when it
 *    was aliased: each id follows its earliest alias only, and a loop of earliest aliases is cut at
 *    its latest alias, whose previousId then ends the chain;
 * 2. otherwise an event with a userId belongs to that user: two identified users never merge except
 *    through an explicit alias;
 * 3. otherwise an anonymous event belongs to the user its anonymous id was first seen with (that
 *    user's alias chain followed), else to the anonymous id itself.
 */

/**
 * `min(link).2` of `identity_links`, the user an anonymous id was first seen with, computed as the
 * least of one string per row: the link's time as 20 fixed-width digits (an Int64 shifted to
 * unsigned, so the digits sort as the times do), then the user id. Strings compare byte by byte, as
 * the tuple compares its time and then its user, so the least string is the least tuple and the
 * answer is the same; but ClickHouse's `min` of a tuple goes through a generic, slow path, and the
 * string one took 0.4 of its CPU on 500k linked ids (BENCHMARKS.md). Every person-level query reads
 * this over all links, once.
 */
const FIRST_LINKED_USER =
  "substring(min(concat(leftPad(toString(bitXor(toUInt64(toUnixTimestamp64Milli(link.1)), 9223372036854775808)), 20, '0'), link.2)), 21)";

/**
 * The `WITH RECURSIVE` prefix of a person-level query: `person_aliases (project, start, root)` for
 * every aliased id, and in 64-bit keys (see `withPerson`) `link_keys (project, key, person)` for
 * every linked anonymous id (without `project` when a project is in scope) and
 * `alias_keys (project, key, person)` for every aliased id.
 *
 * Links and aliases stay two tables, each joined on its own: merging them into one table of keys
 * took a second GROUP BY over every linked id, and the prelude then cost 0.55 of a second of the
 * person-level funnel's 2.2 on 10M events (BENCHMARKS.md); as two it costs about 0.3.
 *
 * The alias walk carries the ids it passed (`path`) and the time of each one's alias (`times`), so
 * it stops when a loop closes; the loop's root is then the previousId of its latest alias. Aliases
 * are rare, so the walk runs over a small table; links are one row per anonymous id.
 */
export function personsPrelude(p: Params): string {
  const project = p.projectFilter();
  // With a project in scope every linked id is that project's: grouping by the id alone took about
  // 0.1 s less of the person-level funnel on 10M events than grouping by (project, id).
  const byProject = (text: string): string => (p.scoped ? '' : text);
  return `WITH RECURSIVE
  alias_edges AS (
    SELECT project, id, min(link) AS edge
    FROM ${p.table(TABLES.identityAliases)}
    WHERE ${project}1
    GROUP BY project, id
  ),
  alias_walk AS (
    SELECT project, id AS start, edge.2 AS node, [id] AS path, [edge.1] AS times, false AS closed
    FROM alias_edges
    UNION ALL
    SELECT w.project, w.start, a.edge.2, arrayPushBack(w.path, w.node), arrayPushBack(w.times, a.edge.1),
      has(arrayPushBack(w.path, w.node), a.edge.2)
    FROM alias_walk AS w INNER JOIN alias_edges AS a ON a.project = w.project AND a.id = w.node
    WHERE NOT w.closed
  ),
  person_aliases AS (
    SELECT project, start,
      argMax(
        if(closed, arrayReverseSort(arrayZip(arraySlice(times, indexOf(path, node)), arraySlice(path, indexOf(path, node))))[1].2, node),
        length(path)
      ) AS root
    FROM alias_walk
    GROUP BY project, start
  ),
  link_keys AS (
    SELECT ${byProject('l.project AS project, ')}${idKey('l.id')} AS key, ${idKey("if(r.root != '', r.root, l.user)")} AS person
    FROM (
      SELECT ${byProject('project, ')}id, ${FIRST_LINKED_USER} AS user
      FROM ${p.table(TABLES.identityLinks)}
      WHERE ${project}1
      GROUP BY ${byProject('project, ')}id
    ) AS l
    LEFT ANY JOIN person_aliases AS r ON ${byProject('r.project = l.project AND ')}r.start = l.user
  ),
  alias_keys AS (
    SELECT project, ${idKey('start')} AS key, ${idKey('root')} AS person FROM person_aliases
  )
`;
}

/** A column of the statement's result, computed per group. */
export interface GroupKey {
  name: string;
  expr: string;
}

/** `, expr AS name` for each key, to follow the columns of a SELECT. */
export function selectKeys(keys: readonly GroupKey[]): string {
  return keys.map((k) => `, ${k.expr} AS ${k.name}`).join('');
}

/**
 * `inner` (rows with project, distinct_key, identified and `passed`) with `actor` set to each row's
 * person, as a 64-bit key (see `idKey`). An event's distinct_id is its userId, else its anonymousId,
 * so looking `distinct_key` up in `alias_keys` finds the id's alias root and, for an anonymous
 * event, in `link_keys` the person its anonymous id is linked to. With a project in scope every id is
 * that project's, so the join keys on the id alone, which is cheaper than (project, id).
 *
 * An identified event never takes a link (rule 2), so it looks up key 0, which no id has: the same
 * hash cell for every such row, always in cache, instead of a random one in a table of every linked
 * id. On 10M events, 57 % of them identified, the person-level funnel took 0.89–0.97× the CPU.
 */
function withPerson(p: Params, inner: string, passed: readonly string[]): string {
  const same = (t: string): string => (p.scoped ? '' : `${t}.project = e.project AND `);
  return `(
    SELECT
      if(a.person != 0, a.person, if(e.identified OR l.person = 0, e.distinct_key, l.person)) AS actor${passed.map((c) => `, e.${c} AS ${c}`).join('')}
    FROM (
      ${inner}
    ) AS e
    LEFT ANY JOIN link_keys AS l ON ${same('l')}l.key = if(e.identified, toUInt64(0), e.distinct_key)
    LEFT ANY JOIN alias_keys AS a ON ${same('a')}a.key = e.distinct_key
  )`;
}

/** The key, the identified flag and the project of each event; an event with no id has no person. */
const IDS = `project, ${idKey('distinct_id')} AS distinct_key, user_id != '' AS identified`;

/**
 * The events matching `where`, with `actor` set to each one's person and `keys` computed (a plain
 * column is a key whose expression is its name). Use after `personsPrelude`.
 */
export function personGroups(p: Params, keys: readonly GroupKey[], where: string): string {
  return withPerson(p, `SELECT ${IDS}${selectKeys(keys)}
      FROM ${p.table(TABLES.events)}
      WHERE (${where}) AND distinct_id != ''`, keys.map((k) => k.name));
}

/**
 * As `personGroups`, read from `events_by_id` (see ddl-events-by-id.ts): `keys` and `where` may use
 * only its `project`, `event` and `timestamp`, and a row may repeat, so use it only for answers that
 * a repeated row cannot change. Use after `personsPrelude`.
 */
export function personGroupsById(p: Params, keys: readonly GroupKey[], where: string): string {
  return withPerson(p, `SELECT project, distinct_key, identified${selectKeys(keys)}
      FROM ${p.table(TABLES.eventsById)}
      WHERE ${where}`, keys.map((k) => k.name));
}

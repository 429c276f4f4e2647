import type { Params } from './sql';
import { firstLinkUser } from '../clickhouse/ddl-identity-keys';
import { idKey } from '../clickhouse/id-key';
import { TABLES } from '../clickhouse/tables';

/**
 * Resolves every event to its person at read time, from the identity graph that materialized views
 * keep (`identity_link_keys`, `identity_aliases`; docs/identity.md states the rules). Reading the graph
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
 * The `WITH RECURSIVE` prefix of a person-level query: `person_aliases (project, start, root)` for
 * every aliased id, and `person_map (project, key, person, aliased)` in 64-bit keys (see
 * `withPerson`): every aliased id with its alias root (`aliased`), and every other linked anonymous
 * id with its person, the user it was first linked to with that user's alias chain followed.
 * `project` is left out of `person_map` when a project is in scope.
 *
 * The links come from `identity_link_keys`, already in keys, whose first link is one UInt128
 * (`firstLinkKey`): its GROUP BY over every linked id took 0.2 CPU seconds on 500k ids where the same
 * over `identity_links`' strings took 0.64 (BENCHMARKS.md). Aliases and links are one table, so every
 * event is looked up once.
 *
 * The alias walk carries the ids it passed (`path`) and the time of each one's alias (`times`), so
 * it stops when a loop closes; the loop's root is then the previousId of its latest alias. Aliases
 * are rare, so the walk runs over a small table; links are one row per anonymous id.
 */
export function personsPrelude(p: Params): string {
  const project = p.projectFilter();
  // With a project in scope every linked id is that project's: grouping and joining by the key alone
  // took about 0.1 s less of the person-level funnel on 10M events than by (project, key).
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
  alias_keys AS (
    SELECT ${byProject('project, ')}${idKey('start')} AS key, ${idKey('root')} AS person FROM person_aliases
  ),
  link_keys AS (
    SELECT ${byProject('l.project AS project, ')}l.key AS key, if(r.person != 0, r.person, l.user) AS person
    FROM (
      SELECT ${byProject('project, ')}key, ${firstLinkUser('min(first)')} AS user
      FROM ${p.table(TABLES.identityLinkKeys)}
      WHERE ${project}1
      GROUP BY ${byProject('project, ')}key
    ) AS l
    LEFT ANY JOIN alias_keys AS r ON ${byProject('r.project = l.project AND ')}r.key = l.user
  ),
  person_map AS (
    SELECT ${byProject('project, ')}key, person, true AS aliased FROM alias_keys
    UNION ALL
    SELECT ${byProject('project, ')}key, person, false AS aliased FROM link_keys
    WHERE ${p.scoped ? 'key' : '(project, key)'} NOT IN (SELECT ${byProject('project, ')}key FROM alias_keys)
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
 * so looking `distinct_key` up in `person_map` finds the id's alias root, or for an anonymous event
 * the person its anonymous id is linked to. An identified event takes an alias only (rule 2). With a
 * project in scope every id is that project's, so the join keys on the id alone, which is cheaper
 * than (project, id).
 *
 * While the project has no alias at all, an identified event looks up key 0, which no id has: the
 * same hash cell for every such row, always in cache, instead of a random one in a table of every
 * linked id. On 10M events, 57 % of them identified, the person-level funnel took 0.89–0.97× the CPU.
 */
function withPerson(p: Params, inner: string, passed: readonly string[]): string {
  const same = p.scoped ? '' : 'm.project = e.project AND ';
  const noAliases = `(SELECT count() = 0 FROM ${p.table(TABLES.identityAliases)} WHERE ${p.projectFilter()}1)`;
  return `(
    SELECT
      if(m.person = 0 OR (e.identified AND NOT m.aliased), e.distinct_key, m.person) AS actor${passed.map((c) => `, e.${c} AS ${c}`).join('')}
    FROM (
      ${inner}
    ) AS e
    LEFT ANY JOIN person_map AS m ON ${same}m.key = if(e.identified AND ${noAliases}, toUInt64(0), e.distinct_key)
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

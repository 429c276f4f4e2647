import type { DdlContext } from './ddl-dialect';
import { dedupSetting, distributedTable, onCluster, storageTable, tableEngine } from './ddl-dialect';
import { TABLES } from './tables';

const LOW = 'LowCardinality(String) CODEC(ZSTD(1))';
/** The earliest link wins: the least (timestamp, target), so ties and arrival order cannot change it. */
const FIRST_LINK = "SimpleAggregateFunction(min, Tuple(DateTime64(3, 'UTC'), String))";

/**
 * The identity graph, kept by materialized views as events arrive (docs/identity.md has the rules):
 * - `identity_links`: an anonymous id → the user it was first seen with, from every event that
 *   carries both ids (identify, or any other);
 * - `identity_aliases`: an alias's previousId → the userId it was first aliased to.
 *
 * Both hold one row per id once merged, so they grow with ids, not with events. Keeping the least
 * (timestamp, target) makes a re-inserted batch, a late event or an out-of-order
 * arrival converge on the same answer; queries resolve people from them at read time, which is
 * what makes the linking retroactive.
 */
interface IdentityEdge {
  table: string;
  /** Column of `events` the edge starts from. */
  from: string;
  where: string;
}

export const LINKS: IdentityEdge = {
  table: TABLES.identityLinks,
  from: 'anonymous_id',
  where: "user_id != '' AND anonymous_id != '' AND anonymous_id != user_id",
};

export const ALIASES: IdentityEdge = {
  table: TABLES.identityAliases,
  from: 'previous_id',
  where: "type = 'alias' AND user_id != '' AND previous_id != '' AND previous_id != user_id",
};

function select(ctx: DdlContext, edge: IdentityEdge, source: string): string {
  return `SELECT project, ${edge.from} AS id, min((timestamp, user_id)) AS link
FROM ${ctx.db}.${source}
WHERE ${edge.where}
GROUP BY project, id`;
}

export function createIdentityEdges(ctx: DdlContext, edge: IdentityEdge): string[] {
  const target = storageTable(ctx, edge.table);
  const source = storageTable(ctx, TABLES.events);
  return [
    `CREATE TABLE IF NOT EXISTS ${ctx.db}.${target}${onCluster(ctx)} (
  project ${LOW},
  id String CODEC(ZSTD(1)),
  link ${FIRST_LINK}
)
ENGINE = ${tableEngine(ctx, 'AggregatingMergeTree', target)}
ORDER BY (project, id)
SETTINGS ${dedupSetting(ctx)}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.db}.${edge.table}_mv${onCluster(ctx)} TO ${ctx.db}.${target} AS
${select(ctx, edge, source)}`,
    ...distributedTable(ctx, edge.table, 'cityHash64(id)'),
    // Events stored before this migration link too (through the Distributed tables on a cluster).
    // Safe to repeat, and to overlap the view: the least of a row seen twice is the same.
    `INSERT INTO ${ctx.db}.${edge.table}
${select(ctx, edge, TABLES.events)}`,
  ];
}

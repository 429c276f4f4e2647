import type { DdlContext } from './ddl-dialect';
import { dedupSetting, distributedTable, onCluster, storageTable, tableEngine, ttlClause } from './ddl-dialect';
import { idKey } from './id-key';
import { TABLES } from './tables';

/** What the view keeps of each event with an id: its key, whether it is identified, its name and time. */
function select(ctx: DdlContext, source: string): string {
  return `SELECT project, ${idKey('distinct_id')} AS distinct_key, user_id != '' AS identified, event, timestamp
FROM ${ctx.db}.${source}
WHERE distinct_id != ''`;
}

/**
 * `events_by_id`: each event's id key, identified flag, name and time, ordered by (project, key,
 * time), kept by a materialized view from `events`. Person-level funnels, retention and counts of people read it
 * instead of `events`: they need only these columns, and rows already grouped by id and in time
 * order make their GROUP BY and windowFunnel's sort cheap. On 10M events the person-level funnel
 * took 0.64× the time (BENCHMARKS.md, tables merged), for 5–6 B per event on disk and about 1.1×
 * the CPU per event of an embedded collector's ingest (the view's inserts are chDB's work).
 *
 * Plain MergeTree: a row repeated by a client's resend of a messageId stays repeated, where
 * `events` collapses it at merge. Only questions that a repeated row cannot change may read it
 * (the deepest funnel step, whether someone returned); a retried batch is dropped by the same
 * dedup window and token as in `events` and the rollups.
 */
export function createEventsById(ctx: DdlContext): string[] {
  const target = storageTable(ctx, TABLES.eventsById);
  const source = storageTable(ctx, TABLES.events);
  return [
    `CREATE TABLE IF NOT EXISTS ${ctx.db}.${target}${onCluster(ctx)} (
  project LowCardinality(String) CODEC(ZSTD(1)),
  distinct_key UInt64 CODEC(ZSTD(1)),
  identified Bool CODEC(ZSTD(1)),
  event LowCardinality(String) CODEC(ZSTD(1)),
  timestamp DateTime64(3, 'UTC') CODEC(T64, ZSTD(1))
)
ENGINE = ${tableEngine(ctx, 'MergeTree', target)}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project, distinct_key, timestamp)${ttlClause('timestamp', ctx.ttl.eventsDays)}
SETTINGS ${dedupSetting(ctx)}, ttl_only_drop_parts = 1`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.db}.${TABLES.eventsById}_mv${onCluster(ctx)} TO ${ctx.db}.${target} AS
${select(ctx, source)}`,
    // Rows stay on the shard of their events (events are sharded by the same key).
    ...distributedTable(ctx, TABLES.eventsById, 'distinct_key'),
    // Events stored before this migration, read through the Distributed tables on a cluster. An
    // event inserted while this runs may land twice, which no reader of this table can see.
    `INSERT INTO ${ctx.db}.${TABLES.eventsById}
${select(ctx, TABLES.events)}`,
  ];
}

import type { DdlContext } from './ddl-dialect';
import { dedupSetting, distributedTable, onCluster, storageTable, tableEngine } from './ddl-dialect';
import { TABLES } from './tables';

const LOW = 'LowCardinality(String) CODEC(ZSTD(1))';

/**
 * Rollups hold a plain event count (`SimpleAggregateFunction(sum, UInt64)`, 8 bytes per row, so a
 * 30-day trend reads a few hundred kB) and a `uniq` state of distinct_id for users.
 * A re-sent batch does not count twice: the writer inserts with
 * `deduplicate_blocks_in_dependent_materialized_views = 1` and the same token, and the rollup
 * tables keep the same dedup window as `events`, so the MV block of a retried batch is dropped
 * like the `events` block. A messageId re-sent by a client in another batch is caught by the
 * collector's messageId window; one that escapes it (restart, second instance, evicted) adds 1 to
 * the rollup count, while `events` collapses it at merge. See docs/storage.md.
 */
interface Rollup {
  table: string;
  timeColumn: string;
  timeType: string;
  timeExpr: string;
  /** Extra grouping dimensions beyond project, type, event. */
  dimensions: Array<[name: string, type: string]>;
}

export const HOURLY: Rollup = {
  table: TABLES.hourly,
  timeColumn: 'hour',
  timeType: "DateTime('UTC')",
  timeExpr: 'toStartOfHour(timestamp)',
  dimensions: [],
};

export const DAILY: Rollup = {
  table: TABLES.daily,
  timeColumn: 'day',
  timeType: 'Date',
  timeExpr: 'toDate(timestamp)',
  dimensions: [
    ['utm_source', LOW],
    ['utm_medium', LOW],
    ['utm_campaign', LOW],
    ['page_path', LOW],
  ],
};

export function createRollup(ctx: DdlContext, rollup: Rollup): string[] {
  const target = storageTable(ctx, rollup.table);
  const source = storageTable(ctx, TABLES.events);
  const dims = rollup.dimensions.map(([name]) => name);
  const key = ['project', 'event', 'type', rollup.timeColumn, ...dims].join(', ');
  const columns = [
    `project ${LOW}`,
    `type ${LOW}`,
    `event ${LOW}`,
    `${rollup.timeColumn} ${rollup.timeType}`,
    ...rollup.dimensions.map(([name, type]) => `${name} ${type}`),
    'events SimpleAggregateFunction(sum, UInt64)',
    'users AggregateFunction(uniq, String)',
  ];
  return [
    `CREATE TABLE IF NOT EXISTS ${ctx.db}.${target}${onCluster(ctx)} (
  ${columns.join(',\n  ')}
)
ENGINE = ${tableEngine(ctx, 'AggregatingMergeTree', target)}
PARTITION BY toYYYYMM(${rollup.timeColumn})
ORDER BY (${key})
SETTINGS ${dedupSetting(ctx)}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.db}.${rollup.table}_mv${onCluster(ctx)} TO ${ctx.db}.${target} AS
SELECT project, type, event, ${rollup.timeExpr} AS ${rollup.timeColumn}${dims.map((d) => `, ${d}`).join('')},
  count() AS events, uniqState(distinct_id) AS users
FROM ${ctx.db}.${source}
GROUP BY ${key}`,
    ...distributedTable(ctx, rollup.table, 'rand()'),
  ];
}

import type { DdlContext } from './ddl-dialect';
import { distributedTable, onCluster, storageTable, tableEngine } from './ddl-dialect';

const LOW = 'LowCardinality(String)';

/**
 * Rollups count `uniq` states of message_id, never raw rows, so neither a re-sent batch (its MV
 * block is re-applied even when the base insert is deduplicated) nor a messageId that slipped past
 * the collector's dedupe inflates a total. `uniq` is exact up to 65,536 distinct values per group
 * and within about 1 % above; see docs/storage.md.
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
  table: 'events_hourly',
  timeColumn: 'hour',
  timeType: "DateTime('UTC')",
  timeExpr: 'toStartOfHour(timestamp)',
  dimensions: [],
};

export const DAILY: Rollup = {
  table: 'events_daily',
  timeColumn: 'day',
  timeType: 'Date',
  timeExpr: 'toDate(timestamp)',
  dimensions: [
    ['utm_source', LOW],
    ['utm_medium', LOW],
    ['utm_campaign', LOW],
    ['page_path', 'String'],
  ],
};

export function createRollup(ctx: DdlContext, rollup: Rollup): string[] {
  const target = storageTable(ctx, rollup.table);
  const source = storageTable(ctx, 'events');
  const dims = rollup.dimensions.map(([name]) => name);
  const key = ['project', 'event', 'type', rollup.timeColumn, ...dims].join(', ');
  const columns = [
    `project ${LOW}`,
    `type ${LOW}`,
    `event ${LOW}`,
    `${rollup.timeColumn} ${rollup.timeType}`,
    ...rollup.dimensions.map(([name, type]) => `${name} ${type}`),
    'events AggregateFunction(uniq, String)',
    'users AggregateFunction(uniq, String)',
  ];
  return [
    `CREATE TABLE IF NOT EXISTS ${ctx.db}.${target}${onCluster(ctx)} (
  ${columns.join(',\n  ')}
)
ENGINE = ${tableEngine(ctx, 'AggregatingMergeTree', target)}
PARTITION BY toYYYYMM(${rollup.timeColumn})
ORDER BY (${key})`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.db}.${rollup.table}_mv${onCluster(ctx)} TO ${ctx.db}.${target} AS
SELECT project, type, event, ${rollup.timeExpr} AS ${rollup.timeColumn}${dims.map((d) => `, ${d}`).join('')},
  uniqState(message_id) AS events, uniqState(distinct_id) AS users
FROM ${ctx.db}.${source}
GROUP BY ${key}`,
    ...distributedTable(ctx, rollup.table, 'rand()'),
  ];
}

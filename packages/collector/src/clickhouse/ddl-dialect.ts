import { identifier } from './identifiers';

/** Everything the DDL depends on, resolved and validated once by `migrate`. */
export interface DdlContext {
  /** Backtick-quoted database name. */
  db: string;
  /** Raw database name, for Distributed(…) arguments. */
  dbName: string;
  /** Raw cluster name when the schema is created ON CLUSTER with Replicated tables. */
  cluster: string | undefined;
  ttl: { eventsDays: number; quarantineDays: number };
  /** Property path → ClickHouse type, for the `properties` JSON column. */
  propertyHints: Record<string, string>;
  dedupWindowBlocks: number;
}

export type MergeTreeKind = 'MergeTree' | 'ReplacingMergeTree' | 'AggregatingMergeTree';

/** ` ON CLUSTER `name`` or nothing. */
export function onCluster(ctx: DdlContext): string {
  return ctx.cluster === undefined ? '' : ` ON CLUSTER ${identifier(ctx.cluster, 'cluster')}`;
}

/** The table that holds the data: `events` on one node, `events_local` behind a Distributed `events` on a cluster. */
export function storageTable(ctx: DdlContext, table: string): string {
  return ctx.cluster === undefined ? table : `${table}_local`;
}

/** `ReplacingMergeTree` on one node; `ReplicatedReplacingMergeTree(path, replica)` on a cluster. */
export function tableEngine(ctx: DdlContext, kind: MergeTreeKind, table: string, shared = false): string {
  if (ctx.cluster === undefined) return kind;
  // `shared` tables (the migrations log) have one copy on every node, so their path has no {shard}.
  const path = shared ? `/clickhouse/tables/{database}/${table}` : `/clickhouse/tables/{shard}/{database}/${table}`;
  return `Replicated${kind}('${path}', '{replica}')`;
}

/** The setting that makes `insert_deduplication_token` work on this engine. */
export function dedupSetting(ctx: DdlContext): string {
  const name = ctx.cluster === undefined ? 'non_replicated_deduplication_window' : 'replicated_deduplication_window';
  return `${name} = ${ctx.dedupWindowBlocks}`;
}

/** On a cluster, the Distributed table users query and the writer inserts into; nothing on one node. */
export function distributedTable(ctx: DdlContext, table: string, shardingKey: string): string[] {
  if (ctx.cluster === undefined) return [];
  const local = storageTable(ctx, table);
  return [
    `CREATE TABLE IF NOT EXISTS ${ctx.db}.${table}${onCluster(ctx)} AS ${ctx.db}.${local}
ENGINE = Distributed('${ctx.cluster}', '${ctx.dbName}', '${local}', ${shardingKey})`,
  ];
}

/** `TTL expr + INTERVAL n DAY`, or nothing when n is 0. */
export function ttlClause(column: string, days: number): string {
  return days > 0 ? `\nTTL toDateTime(${column}) + INTERVAL ${Math.floor(days)} DAY` : '';
}

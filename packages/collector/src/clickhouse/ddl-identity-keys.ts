import type { DdlContext } from './ddl-dialect';
import { dedupSetting, distributedTable, onCluster, storageTable, tableEngine } from './ddl-dialect';
import { LINKS } from './ddl-identity';
import { idKey } from './id-key';
import { TABLES } from './tables';

/**
 * A link's time and user as one UInt128: the time in milliseconds in the high 64 bits (an Int64
 * shifted to unsigned, so the numbers sort as the times do), the user's id key (`idKey`) in the low
 * 64. The least of these is the earliest link, and on a tie in the same millisecond the user with
 * the smaller key: a fixed order that no arrival order or resend can change (docs/identity.md).
 *
 * `min` of a UInt128 is a plain numeric aggregate, where `min` of a (time, user) tuple goes through
 * ClickHouse's generic path; reading every linked id's first user this way took the prelude of a
 * person-level query on 10M events from 0.64 to 0.2 CPU seconds (BENCHMARKS.md).
 */
export function firstLinkKey(time: string, user: string): string {
  return `bitOr(bitShiftLeft(toUInt128(bitXor(toUInt64(toUnixTimestamp64Milli(${time})), 9223372036854775808)), 64), toUInt128(${idKey(user)}))`;
}

/** The user's id key held in a `firstLinkKey` value. */
export function firstLinkUser(value: string): string {
  return `toUInt64(bitAnd(${value}, toUInt128(18446744073709551615)))`;
}

function select(ctx: DdlContext, source: string): string {
  return `SELECT project, ${idKey(LINKS.from)} AS key, min(${firstLinkKey('timestamp', 'user_id')}) AS first
FROM ${ctx.db}.${source}
WHERE ${LINKS.where}
GROUP BY project, key`;
}

/**
 * `identity_link_keys`: `identity_links` in id keys, the form person-level queries read. One row per
 * linked anonymous id once merged: its key and its first link (`firstLinkKey`). Kept by a
 * materialized view from `events` with the same rule as `identity_links`, which stays as the
 * readable graph for SQL users.
 */
export function createIdentityLinkKeys(ctx: DdlContext): string[] {
  const target = storageTable(ctx, TABLES.identityLinkKeys);
  const source = storageTable(ctx, TABLES.events);
  return [
    `CREATE TABLE IF NOT EXISTS ${ctx.db}.${target}${onCluster(ctx)} (
  project LowCardinality(String) CODEC(ZSTD(1)),
  key UInt64 CODEC(ZSTD(1)),
  first SimpleAggregateFunction(min, UInt128) CODEC(ZSTD(1))
)
ENGINE = ${tableEngine(ctx, 'AggregatingMergeTree', target)}
ORDER BY (project, key)
SETTINGS ${dedupSetting(ctx)}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.db}.${TABLES.identityLinkKeys}_mv${onCluster(ctx)} TO ${ctx.db}.${target} AS
${select(ctx, source)}`,
    // The view keeps rows on the shard of their events, the backfill places them by key: readers group
    // by key across shards, so any placement gives the same answer.
    ...distributedTable(ctx, TABLES.identityLinkKeys, 'key'),
    // Links stored before this migration (through the Distributed tables on a cluster). Safe to
    // repeat, and to overlap the view: the least of a row seen twice is the same.
    `INSERT INTO ${ctx.db}.${TABLES.identityLinkKeys}
${select(ctx, TABLES.events)}`,
  ];
}

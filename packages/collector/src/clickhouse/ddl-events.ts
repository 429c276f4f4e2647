import type { DdlContext } from './ddl-dialect';
import { dedupSetting, distributedTable, onCluster, storageTable, tableEngine, ttlClause } from './ddl-dialect';
import { quotePath } from './identifiers';
import { TABLES } from './tables';

/**
 * Codecs, measured on 500k–1M demo-like events (bench/storage.mjs; docs/storage.md has the table):
 * - event times: T64 then ZSTD. Rows are sorted by user within a day, so time rises within a user's
 *   run and jumps between users; T64's bit packing beat Delta and DoubleDelta there.
 * - batch times (sent_at, received_at): Delta then ZSTD; one value repeats for a whole batch.
 * - LowCardinality: its index stream gets ZSTD as well (the default LZ4 left it at about 1.5×).
 * - page_path is LowCardinality: a site's paths are few, and the daily rollup groups by it.
 */
const TIME = "DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1))";
const EVENT_TIME = "DateTime64(3, 'UTC') CODEC(T64, ZSTD(1))";
const ID = 'String CODEC(ZSTD(1))';
const URL = 'String CODEC(ZSTD(3))';
const LOW = 'LowCardinality(String) CODEC(ZSTD(1))';

/**
 * `properties` as JSON with the taxonomy's type hints. Checked on chdb 3.4 (ClickHouse 26.7): every
 * type `propertyTypeHints` emits (String, LowCardinality(String), Int64, Float64, Bool, DateTime64(3))
 * is accepted as a JSON path hint, and ISO strings such as `2024-01-02T03:04:05.678Z` parse into the
 * DateTime64(3) hint, so no hint needs mapping.
 */
/** The codec of `properties`, restated whenever its type hints change. */
export const PROPERTIES_CODEC = 'CODEC(ZSTD(1))';

export function propertiesType(hints: Record<string, string>): string {
  const entries = Object.entries(hints).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return 'JSON';
  return `JSON(${entries.map(([path, type]) => `${quotePath(path)} ${type}`).join(', ')})`;
}

/**
 * The raw events, ordered by (project, day, distinct_id, message_id): a user's events of a day are
 * one run, so the per-user columns (ids, session, user agent, locale) compress to a fraction, and
 * with time-ordered messageIds (UUIDv7, as the Sluice SDKs send) the run is in time order.
 * ReplacingMergeTree collapses one messageId to one row: a client retry carries the same project,
 * day, distinct_id and message_id, which is the whole key. Until the merge, count with
 * `uniqExact(message_id)` or `FINAL` (see docs/storage.md).
 */
export function createEvents(ctx: DdlContext): string[] {
  const table = storageTable(ctx, TABLES.events);
  return [
    `CREATE TABLE IF NOT EXISTS ${ctx.db}.${table}${onCluster(ctx)} (
  project ${LOW},
  message_id ${ID},
  type ${LOW},
  event ${LOW},
  user_id ${ID},
  anonymous_id ${ID},
  distinct_id ${ID},
  session_id ${ID},
  group_id ${ID},
  previous_id ${ID},
  timestamp ${EVENT_TIME},
  original_timestamp ${EVENT_TIME},
  sent_at ${TIME},
  received_at ${TIME},
  properties ${propertiesType(ctx.propertyHints)} ${PROPERTIES_CODEC},
  traits JSON CODEC(ZSTD(1)),
  context JSON CODEC(ZSTD(1)),
  page_url ${URL},
  page_path ${LOW},
  referrer ${URL},
  utm_source ${LOW},
  utm_medium ${LOW},
  utm_campaign ${LOW},
  locale ${LOW},
  library_name ${LOW},
  library_version ${LOW}
)
ENGINE = ${tableEngine(ctx, 'ReplacingMergeTree', table)}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project, toDate(timestamp), distinct_id, message_id)${ttlClause('timestamp', ctx.ttl.eventsDays)}
SETTINGS ${dedupSetting(ctx)}, ttl_only_drop_parts = 1`,
    ...distributedTable(ctx, TABLES.events, 'cityHash64(distinct_id)'),
  ];
}

/** What failed validation or was rejected by ClickHouse, with the reason and the raw payload. */
export function createQuarantine(ctx: DdlContext): string[] {
  const table = storageTable(ctx, TABLES.quarantine);
  return [
    `CREATE TABLE IF NOT EXISTS ${ctx.db}.${table}${onCluster(ctx)} (
  project ${LOW},
  received_at ${TIME},
  message_id ${ID},
  reason String CODEC(ZSTD(1)),
  path ${LOW},
  raw String CODEC(ZSTD(3))
)
ENGINE = ${tableEngine(ctx, 'MergeTree', table)}
PARTITION BY toYYYYMM(received_at)
ORDER BY (project, received_at)${ttlClause('received_at', ctx.ttl.quarantineDays)}
SETTINGS ${dedupSetting(ctx)}, ttl_only_drop_parts = 1`,
    ...distributedTable(ctx, TABLES.quarantine, 'rand()'),
  ];
}

import type { ClickHouseClient } from '@clickhouse/client';
import { createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { EVENT_COLUMNS } from '../../src/clickhouse/ndjson';
import type { EventRow, RowBatch } from '../../src/rows';

/** A client on an in-process chdb (one data directory per process). */
export function openChdb(path: string): ClickHouseClient {
  // chdb's types come from its own copy of @clickhouse/client-common; the runtime shapes match.
  return createClient({ connection: createChdbConnection({ path }) } as unknown as Parameters<typeof createClient>[0]);
}

/** Times as DateTime64; every other column the insert names (`EVENT_COLUMNS`) as a plain String, objects included. */
const TINY_EVENT_COLUMNS = EVENT_COLUMNS.map((column) => `${column} ${/timestamp|_at$/.test(column) ? "DateTime64(3, 'UTC')" : 'String'}`).join(', ');

/**
 * Small stand-ins for `events` and `events_quarantine`, with dedup on: no views, no JSON columns, but
 * every column an insert into `events` names.
 */
export async function createTinyTables(client: ClickHouseClient, database: string): Promise<void> {
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${database}.events (${TINY_EVENT_COLUMNS})
      ENGINE = MergeTree ORDER BY (project, message_id) SETTINGS non_replicated_deduplication_window = 1000`,
  });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${database}.events_quarantine (project String, message_id String, reason String, raw String)
      ENGINE = MergeTree ORDER BY project SETTINGS non_replicated_deduplication_window = 1000`,
  });
}

export async function countRows(client: ClickHouseClient, table: string): Promise<{ rows: number; unique: number }> {
  const result = await client.query({ query: `SELECT count() AS rows, uniqExact(message_id) AS unique FROM ${table}`, format: 'JSONEachRow' });
  const [row] = (await result.json()) as { rows: string; unique: string }[];
  return { rows: Number(row?.rows), unique: Number(row?.unique) };
}

export function event(id: string): EventRow {
  return {
    project: 'p', message_id: id, type: 'track', event: 'Clicked', user_id: 'u', anonymous_id: '', distinct_id: 'u',
    session_id: '', group_id: '', previous_id: '', timestamp: 1_700_000_000_123, original_timestamp: 1_700_000_000_000,
    sent_at: 1_700_000_000_000, received_at: 1_700_000_000_000, properties: { n: 1 }, traits: {}, context: {},
    page_url: '', page_path: '', referrer: '', utm_source: '', utm_medium: '', utm_campaign: '', locale: '',
    library_name: 'test', library_version: '0',
  };
}

/** `count` events with ids `<prefix>-0…`, plus one quarantined row per call when `quarantine` is set. */
export function rows(prefix: string, count: number, quarantine = false): RowBatch {
  return {
    events: Array.from({ length: count }, (_, i) => event(`${prefix}-${i}`)),
    quarantine: quarantine ? [{ project: 'p', received_at: 1_700_000_000_000, message_id: `${prefix}-q`, reason: 'bad type', path: 'properties.n', raw: '{}' }] : [],
  };
}

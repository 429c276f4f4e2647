import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { DEFAULTS } from '../defaults';
import type { InsertBatch } from './wal-batch';

export interface ClickHouseInsertOptions {
  /** `sluice` by default. */
  database?: string;
  eventsTable?: string;
  quarantineTable?: string;
}

/**
 * The insert the WAL sink and replay use: the batch's NDJSON bytes go to ClickHouse as they are
 * (`INSERT … FORMAT JSONEachRow`, the fastest path measured on chdb), with the batch token as
 * `insert_deduplication_token` for both tables and their materialized views. Dedup needs
 * `non_replicated_deduplication_window` on MergeTree tables (the migrations set it, rollups
 * included) or a Replicated engine.
 */
export function insertViaClickHouse(client: ClickHouseClient, options: ClickHouseInsertOptions = {}): InsertBatch {
  const database = quote(options.database ?? DEFAULTS.database);
  const eventsTable = quote(options.eventsTable ?? 'events');
  const quarantineTable = quote(options.quarantineTable ?? 'events_quarantine');

  async function send(table: string, body: Buffer, token: string, signal: AbortSignal): Promise<void> {
    const result = await client.exec({
      query: `INSERT INTO ${database}.${table} FORMAT JSONEachRow`,
      values: Readable.from([body]),
      // The token must reach the rollups' materialized views too, or a re-sent batch is stored once
      // but counted twice. chDB 26.7 has this on by default; servers may not, so it is always sent.
      clickhouse_settings: { insert_deduplication_token: token, deduplicate_blocks_in_dependent_materialized_views: 1 },
      abort_signal: signal,
    });
    result.stream.destroy();
  }

  return async (batch, signal) => {
    if (batch.eventRows > 0) await send(eventsTable, batch.events, batch.token, signal);
    if (batch.quarantineRows > 0) await send(quarantineTable, batch.quarantine, batch.token, signal);
  };
}

function quote(identifier: string): string {
  return `\`${identifier.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { DEFAULTS } from '../defaults';
import { embeddedRawInsert } from './engine-embedded';
import { EVENT_COLUMNS, EVENT_FORMAT } from './ndjson';
import { checkToken, identifier, plainName } from './identifiers';
import { ANY_PARTITIONS, settingsSql } from './settings-sql';
import { TABLES } from './tables';

export interface InsertRowsOptions {
  /** `sluice` by default. */
  database?: string;
}

/** The tables rows are inserted into. */
export type InsertTable = typeof TABLES.events | typeof TABLES.quarantine;

/**
 * Sends a table's lines (`eventLine`s to `events`, `quarantineLine`s to the quarantine) once, with
 * `token` as the dedup token; rejects with ClickHouse's error. Aborted by `signal`.
 */
export type InsertRows = (table: InsertTable, lines: Buffer, token: string, signal: AbortSignal) => Promise<void>;

/**
 * The INSERT statement with the dedup settings every insert carries. `insert_deduplication_token`
 * makes `events` (with `non_replicated_deduplication_window`, which the migrations set) store a
 * re-sent batch once. `deduplicate_blocks_in_dependent_materialized_views` carries the token to the
 * rollups' views: without it, chDB 26.7 feeds the views again even when the `events` insert is
 * deduplicated (measured), and the rollups' counts would double. Servers may default it off, so it
 * is always sent.
 *
 * The settings travel in the statement's SETTINGS clause, not as `clickhouse_settings`: chDB's
 * connection applies those to its session, so a token would stick to every later insert on the
 * same client, and an unrelated insert would be dropped as a duplicate (measured on chdb 3.4).
 * Tokens are restricted to `[A-Za-z0-9_.:-]` (checkToken), so they are safe inside the quotes.
 */
export function insertStatement(target: string, token: string, format: LineFormat = JSON_EACH_ROW): string {
  const columns = format.columns ? ` (${format.columns.join(', ')})` : '';
  return `INSERT INTO ${target}${columns} SETTINGS ${settingsSql(insertSettings(token))} FORMAT ${format.format}`;
}

/** How each table's lines are written (ndjson.ts): the input format, and the columns named in order. */
interface LineFormat {
  format: 'JSONEachRow' | typeof EVENT_FORMAT;
  columns?: readonly string[];
}

const JSON_EACH_ROW: LineFormat = { format: 'JSONEachRow' };

const LINE_FORMATS: Record<InsertTable, LineFormat> = {
  [TABLES.events]: { format: EVENT_FORMAT, columns: EVENT_COLUMNS },
  [TABLES.quarantine]: JSON_EACH_ROW,
};

/** The settings of every insert, checked: the statement's SETTINGS clause, or chdb's raw insert's. */
export function insertSettings(token: string): {
  deduplicate_blocks_in_dependent_materialized_views: number;
  insert_deduplication_token: string;
  max_partitions_per_insert_block: number;
} {
  return { deduplicate_blocks_in_dependent_materialized_views: 1, insert_deduplication_token: checkToken(token), ...ANY_PARTITIONS };
}

/**
 * The one function that talks to ClickHouse for the write path: the lines go as they are (events as
 * `INSERT INTO events (…) FORMAT JSONCompactEachRow`, the cheapest text format measured on chdb;
 * the quarantine as JSONEachRow) with the dedup settings. It owns the quoting of the database and
 * the table names. One try, no splitting: poison-split.ts and retry-policy.ts wrap it
 * (insert-chain.ts puts them together).
 */
export function createInsertRows(client: ClickHouseClient, options: InsertRowsOptions = {}): InsertRows {
  const database = plainName(options.database ?? DEFAULTS.database, 'database');
  const raw = embeddedRawInsert(client);
  if (raw !== undefined) {
    // chdb's raw insert quotes nothing: it takes plain names, which plainName has checked.
    return async (table, lines, token, signal) => {
      if (lines.length === 0) return;
      const { format, columns } = LINE_FORMATS[table];
      await raw.rawInsert({ table: `${database}.${table}`, columns, values: lines, format, settings: insertSettings(token), signal });
    };
  }
  const db = identifier(database, 'database');
  const target = {
    [TABLES.events]: `${db}.${identifier(TABLES.events, 'table')}`,
    [TABLES.quarantine]: `${db}.${identifier(TABLES.quarantine, 'table')}`,
  };
  return async (table, lines, token, signal) => {
    const result = await client.exec({
      query: insertStatement(target[table], token, LINE_FORMATS[table]),
      values: Readable.from([lines]),
      abort_signal: signal,
    });
    result.stream.destroy();
  };
}

import { eventLine, quarantineLine } from '../clickhouse/ndjson';
import type { RowBatch } from '../rows';

/**
 * How accepted rows travel through Kafka: one record per person and request, its value that
 * person's rows as lines (the same encoders as the write-ahead log and the ClickHouse insert,
 * clickhouse/ndjson.ts), so a consumer concatenates values and inserts them as they are. Records
 * from earlier collectors held events as JSONEachRow objects; the consumer rewrites those.
 *
 * | part   | events                               | quarantine                          |
 * |--------|--------------------------------------|-------------------------------------|
 * | key    | `<project>\n<distinct_id>`            | `<project>`                         |
 * | value  | `eventLine(row)` lines, `\n` between  | `quarantineLine(row)` lines         |
 * | header | `sluice-table: events`               | `sluice-table: events_quarantine`   |
 *
 * Keying by project and distinct id keeps one person's events in one partition, in order. One
 * record per person rather than per row: the client's cost is per record, and a browser's batch
 * is usually one person's.
 */
export const TABLE_HEADER = 'sluice-table';
export type TargetTable = 'events' | 'events_quarantine';

export interface OutgoingRecord {
  key: Buffer;
  value: Buffer;
  /** Rows in `value`. */
  rows: number;
  headers: Map<Buffer, Buffer>;
}

const HEADER_KEY = Buffer.from(TABLE_HEADER);
const EVENTS = Buffer.from('events');
const QUARANTINE = Buffer.from('events_quarantine');

export function toRecords(rows: RowBatch): OutgoingRecord[] {
  const people = new Map<string, string[]>();
  for (const row of rows.events) {
    const key = `${row.project}\n${row.distinct_id}`;
    const lines = people.get(key);
    if (lines) lines.push(eventLine(row));
    else people.set(key, [eventLine(row)]);
  }
  const projects = new Map<string, string[]>();
  for (const row of rows.quarantine) {
    const lines = projects.get(row.project);
    if (lines) lines.push(quarantineLine(row));
    else projects.set(row.project, [quarantineLine(row)]);
  }
  const out: OutgoingRecord[] = [];
  for (const [key, lines] of people) out.push({ key: Buffer.from(key), value: Buffer.from(lines.join('\n')), rows: lines.length, headers: new Map([[HEADER_KEY, EVENTS]]) });
  for (const [key, lines] of projects) out.push({ key: Buffer.from(key), value: Buffer.from(lines.join('\n')), rows: lines.length, headers: new Map([[HEADER_KEY, QUARANTINE]]) });
  return out;
}

/** Rows in a consumed record's value: its lines. */
export function rowsIn(value: Buffer): number {
  let rows = 1;
  for (let at = value.indexOf(10); at >= 0; at = value.indexOf(10, at + 1)) rows++;
  return rows;
}

/** Which table a consumed record belongs to; a record without the header is an event. */
export function targetOf(headers: readonly (readonly [Buffer | null, Buffer | null])[]): TargetTable {
  for (const [key, value] of headers) {
    if (key && value && key.equals(HEADER_KEY)) return value.equals(QUARANTINE) ? 'events_quarantine' : 'events';
  }
  return 'events';
}

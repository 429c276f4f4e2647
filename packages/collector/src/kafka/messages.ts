import { eventLine, quarantineLine } from '../clickhouse/ndjson';
import type { RowBatch } from '../rows';

/**
 * How accepted rows travel through Kafka: one record per row, its value the JSONEachRow line the
 * ClickHouse insert sends (the same encoder as the write-ahead log), so a consumer concatenates
 * values and inserts them as they are.
 *
 * | part   | events                         | quarantine            |
 * |--------|--------------------------------|-----------------------|
 * | key    | `<project>\n<distinct_id>`      | `<project>`           |
 * | value  | `eventLine(row)`               | `quarantineLine(row)` |
 * | header | `sluice-table: events`         | `sluice-table: events_quarantine` |
 *
 * Keying by project and distinct id keeps one person's events in one partition, in order.
 */
export const TABLE_HEADER = 'sluice-table';
export type TargetTable = 'events' | 'events_quarantine';

export interface OutgoingRecord {
  key: Buffer;
  value: Buffer;
  headers: Map<Buffer, Buffer>;
}

const HEADER_KEY = Buffer.from(TABLE_HEADER);
const EVENTS = Buffer.from('events');
const QUARANTINE = Buffer.from('events_quarantine');

export function toRecords(rows: RowBatch): OutgoingRecord[] {
  const out: OutgoingRecord[] = [];
  for (const row of rows.events) {
    out.push({ key: Buffer.from(`${row.project}\n${row.distinct_id}`), value: Buffer.from(eventLine(row)), headers: new Map([[HEADER_KEY, EVENTS]]) });
  }
  for (const row of rows.quarantine) {
    out.push({ key: Buffer.from(row.project), value: Buffer.from(quarantineLine(row)), headers: new Map([[HEADER_KEY, QUARANTINE]]) });
  }
  return out;
}

/** Which table a consumed record belongs to; a record without the header is an event. */
export function targetOf(headers: readonly (readonly [Buffer | null, Buffer | null])[]): TargetTable {
  for (const [key, value] of headers) {
    if (key && value && key.equals(HEADER_KEY)) return value.equals(QUARANTINE) ? 'events_quarantine' : 'events';
  }
  return 'events';
}

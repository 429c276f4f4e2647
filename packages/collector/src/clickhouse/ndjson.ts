import type { EventRow, QuarantineRow } from '../rows';

/**
 * One JSONEachRow line per row, with a single JSON.stringify. The row objects already carry the
 * column names, and times stay epoch-millisecond integers: ClickHouse reads an integer for a
 * DateTime64(3) column as milliseconds since the epoch (documented, and checked on chdb 26.7), which
 * is both the fastest format and exact. A fractional or non-finite time is rounded or zeroed first,
 * because a float would be read as something else.
 */
export function eventLine(row: EventRow): string {
  if (
    Number.isInteger(row.timestamp) &&
    Number.isInteger(row.original_timestamp) &&
    Number.isInteger(row.sent_at) &&
    Number.isInteger(row.received_at)
  ) {
    return JSON.stringify(row);
  }
  return JSON.stringify({
    ...row,
    timestamp: epochMs(row.timestamp),
    original_timestamp: epochMs(row.original_timestamp),
    sent_at: epochMs(row.sent_at),
    received_at: epochMs(row.received_at),
  });
}

export function quarantineLine(row: QuarantineRow): string {
  return Number.isInteger(row.received_at)
    ? JSON.stringify(row)
    : JSON.stringify({ ...row, received_at: epochMs(row.received_at) });
}

export function epochMs(value: number): number {
  return Number.isFinite(value) ? Math.round(value) : 0;
}

/** The quarantine row for an event line that ClickHouse refused, with its error as the reason. */
export function poisonedRow(line: string, reason: string, now: number, maxRawBytes: number): QuarantineRow {
  let head: Partial<Record<'project' | 'message_id' | 'received_at', unknown>> = {};
  try {
    head = JSON.parse(line) as typeof head;
  } catch {
    // Lines are produced by eventLine, so this only guards against a caller-supplied line.
  }
  return {
    project: typeof head.project === 'string' ? head.project : '',
    received_at: typeof head.received_at === 'number' ? epochMs(head.received_at) : now,
    message_id: typeof head.message_id === 'string' ? head.message_id : '',
    reason,
    path: '',
    raw: line.length > maxRawBytes ? line.slice(0, maxRawBytes) : line,
  };
}

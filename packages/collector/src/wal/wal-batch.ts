import type { RowsBatch } from '../clickhouse/insert-batch';
import type { Logger } from '../logger';
import { decodeSinkPayload, eventLines } from './sink-payload';
import type { Position, WalRecord } from './wal-types';

/** One insert's worth of log records, ready to send. */
export interface WalBatch extends RowsBatch {
  /**
   * `wal-<logId>-<first>-<last>`: the same range of the same log always gets the same token, so
   * ClickHouse (`insert_deduplication_token`) stores a re-sent batch once.
   */
  token: string;
  first: Position;
  last: Position;
}

export function batchToken(logId: string, first: Position, last: Position): string {
  return `wal-${logId}-${first}-${last}`;
}

export interface BatchSize {
  rows: number;
  bytes: number;
}

/** Rows and bytes a record contributes, read from its header line only. */
export function recordRows(record: WalRecord, logger: Logger): BatchSize {
  try {
    const decoded = decodeSinkPayload(record.payload);
    return { rows: decoded.eventRows + decoded.quarantineRows, bytes: record.payload.length };
  } catch {
    logger.debug({ position: record.position }, 'record is not a sink payload');
    return { rows: 0, bytes: record.payload.length };
  }
}

/** Concatenates the records' lines. A record that is not a sink payload is skipped and reported. */
export function assembleBatch(logId: string, records: readonly WalRecord[], logger: Logger): WalBatch {
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last) throw new RangeError('a batch needs at least one record');
  const events: Buffer[] = [];
  const quarantine: Buffer[] = [];
  let eventRows = 0;
  let quarantineRows = 0;
  for (const record of records) {
    try {
      const decoded = decodeSinkPayload(record.payload);
      events.push(eventLines(decoded));
      quarantine.push(decoded.quarantine);
      eventRows += decoded.eventRows;
      quarantineRows += decoded.quarantineRows;
    } catch (error) {
      logger.error({ err: error, position: record.position }, `write-ahead log record ${record.position} is not a batch of rows (${(error as Error).message}); skipping it`);
    }
  }
  return {
    token: batchToken(logId, first.position, last.position),
    first: first.position,
    last: last.position,
    events: Buffer.concat(events),
    eventRows,
    quarantine: Buffer.concat(quarantine),
    quarantineRows,
  };
}

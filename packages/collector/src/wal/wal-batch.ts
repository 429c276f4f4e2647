import type { Logger } from '../logger';
import { decodeSinkPayload } from './sink-payload';
import type { Position, WalRecord } from './write-ahead-log';

/** One insert's worth of log records, ready to send. */
export interface WalBatch {
  /**
   * `wal-<logId>-<first>-<last>`: the same range of the same log always gets the same token, so
   * ClickHouse (`insert_deduplication_token`) stores a re-sent batch once.
   */
  token: string;
  first: Position;
  last: Position;
  /** JSONEachRow lines for `events`, each ending in `\n`. */
  events: Buffer;
  eventRows: number;
  /** JSONEachRow lines for `events_quarantine`. */
  quarantine: Buffer;
  quarantineRows: number;
}

/**
 * Sends one batch to ClickHouse with `batch.token` as its dedup token; rejects to have it retried.
 * Aborted when the sink's close deadline passes.
 */
export type InsertBatch = (batch: WalBatch, signal: AbortSignal) => Promise<void>;

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
      events.push(decoded.events);
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

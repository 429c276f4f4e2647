import type { RowBatch } from '../rows';
import { eventLine, quarantineLine } from './ndjson';

/**
 * One insert's worth of rows, already encoded as lines (each ending in `\n`; ndjson.ts), with the
 * dedup token that makes re-sending it safe. The writer, the write-ahead log and replay all build
 * these, and all send them through the same chain (insert-chain.ts).
 */
export interface RowsBatch {
  /**
   * The same rows always travel with the same token: `[A-Za-z0-9_.:-]`, up to 200 characters.
   * ClickHouse stores a block once per token (`insert_deduplication_token`).
   */
  token: string;
  /** `eventLine` lines (JSONCompactEachRow in `EVENT_COLUMNS` order) for `events`. */
  events: Buffer;
  eventRows: number;
  /** `quarantineLine` lines (JSONEachRow) for `events_quarantine`. */
  quarantine: Buffer;
  quarantineRows: number;
}

/** What an insert stored: rows in `events`, and rows in `events_quarantine` (sent as such, or refused by ClickHouse). */
export interface InsertOutcome {
  inserted: number;
  quarantined: number;
}

/**
 * Sends one batch; resolves once ClickHouse acknowledged every row, rejects otherwise. Nothing is
 * reported as half-done: re-sending the batch with its token is always safe. Aborted by `signal`.
 * An injected insert may resolve with nothing, meaning every row was stored as sent.
 */
export type InsertBatch = (batch: RowsBatch, signal: AbortSignal) => Promise<InsertOutcome | void>;

/** Encodes rows as a batch with the given token. */
export function rowsToBatch(token: string, rows: RowBatch): RowsBatch {
  return {
    token,
    events: linesToBuffer(rows.events.map(eventLine)),
    eventRows: rows.events.length,
    quarantine: linesToBuffer(rows.quarantine.map(quarantineLine)),
    quarantineRows: rows.quarantine.length,
  };
}

export function linesToBuffer(lines: readonly string[]): Buffer {
  return lines.length === 0 ? Buffer.alloc(0) : Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

export function bufferToLines(buffer: Buffer): string[] {
  if (buffer.length === 0) return [];
  const text = buffer.toString('utf8');
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

/** The outcome of an insert that resolved with nothing: every row stored as sent. */
export function fullOutcome(batch: RowsBatch, outcome: InsertOutcome | void): InsertOutcome {
  return outcome ?? { inserted: batch.eventRows, quarantined: batch.quarantineRows };
}

import type { Logger } from '../logger';
import type { Cursor, PendingRange } from './cursor-file';

/** A record's sequence number: 1, 2, 3, … for the life of the log directory. */
export type Position = number;

export interface WalRecord {
  position: Position;
  /** Epoch ms when it was appended. */
  appendedAt: number;
  payload: Buffer;
}

export interface WalStats {
  /** Bytes of records not yet committed: what `maxBytes` bounds. */
  bytes: number;
  /** Bytes of every segment on disk, committed ones kept for retention included. */
  diskBytes: number;
  segments: number;
  /** fdatasync calls since open; one per group commit (plus one per new segment). */
  fsyncs: number;
  lastFsyncMs: number;
  /** Records appended since open. */
  appends: number;
  committed: Position;
  /** The last durable record. */
  lastPosition: Position;
}

export interface WriteAheadLogOptions {
  dir: string;
  /** Bytes of uncommitted records before `append` answers overloaded. */
  maxBytes?: number;
  segmentBytes?: number;
  /** Bytes of appends waiting for the disk (held in memory) before `append` answers overloaded. */
  maxQueuedBytes?: number;
  /** Keep committed segments this long (the raw source of truth); 0 deletes them once committed. */
  keepRawMs?: number;
  logger?: Logger;
  /**
   * The ClickHouse this log drains into (engine-target.ts). Recorded in the directory on first use;
   * a log recorded for another target is refused when opened, so it never drains into the wrong one.
   */
  target?: string;
  /** Injected for tests. */
  now?: () => number;
  /** Free bytes of the filesystem under `dir`; injected for tests (statfs by default). */
  freeBytes?: (dir: string) => Promise<number>;
}

export interface WriteAheadLog {
  readonly dir: string;
  /** Random per log directory; part of every dedup token derived from it. */
  readonly logId: string;
  /** The byte cap in force: `maxBytes`, lowered to what the disk had room for when the log was opened. */
  readonly maxBytes: number;
  /** What recovery found wrong and repaired when the log was opened (also logged). */
  readonly repairs: readonly string[];
  /** Resolves once the record is fsynced. Appends made during an fsync share the next one. */
  append(payload: Uint8Array | string): Promise<Position>;
  /** Durable records after `max(position, committed)`, in order: at most `limit`, and at most `maxBytes` of payload (at least one record). */
  readFrom(position: Position, limit: number, maxBytes?: number): Promise<WalRecord[]>;
  /** Records durably that every record ≤ position is stored; drops segments retention no longer needs. */
  commit(position: Position): Promise<void>;
  /** Records durably which range the next insert covers, before it is sent. */
  markPending(range: PendingRange): Promise<void>;
  cursor(): Cursor;
  lastPosition(): Position;
  /** Resolves when a record after `position` is durable, or the log closes, or the signal aborts. */
  waitForRecords(position: Position, signal?: AbortSignal): Promise<void>;
  /** Uncommitted bytes (see WalStats.bytes). */
  bytes(): number;
  /** Age of the oldest record not yet committed; 0 when everything is committed. */
  oldestUnsentAgeMs(): number;
  stats(): WalStats;
  /** Waits for appends in flight, then closes files. Later appends reject. */
  close(): Promise<void>;
}

import { mkdir, open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import type { Cursor, PendingRange } from './cursor-file';
import { fsyncDir, writeCursor } from './cursor-file';
import { lockLogDir } from './dir-lock';
import { MAX_PAYLOAD_BYTES, recordSize, writeRecord } from './record-codec';
import type { SegmentInfo } from './recovery';
import { recoverLog } from './recovery';
import { readSegmentSpan } from './segment-reader';
import { SEGMENT_HEADER_BYTES, encodeSegmentHeader, segmentFileName } from './segment-format';

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
  /** Injected for tests. */
  now?: () => number;
}

export interface WriteAheadLog {
  readonly dir: string;
  /** Random per log directory; part of every dedup token derived from it. */
  readonly logId: string;
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

interface Queued {
  payload: Uint8Array;
  size: number;
  settled: boolean;
  resolve: (position: Position) => void;
  reject: (error: unknown) => void;
}

/**
 * Opens (recovering if needed, see recovery.ts) or creates the write-ahead log in `dir`. Layout:
 * segment files `<startSeq>.wal` (segment-format.ts) holding checksummed records (record-codec.ts),
 * and `cursor.json` (cursor-file.ts). One process per directory.
 */
export async function createWriteAheadLog(options: WriteAheadLogOptions): Promise<WriteAheadLog> {
  const dir = options.dir;
  const maxBytes = options.maxBytes ?? DEFAULTS.walMaxBytes;
  const segmentBytes = options.segmentBytes ?? DEFAULTS.walSegmentBytes;
  const keepRawMs = options.keepRawMs ?? DEFAULTS.walKeepRawMs;
  const maxQueuedBytes = options.maxQueuedBytes ?? DEFAULTS.walMaxQueuedBytes;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;

  await mkdir(dir, { recursive: true });
  const unlock = await lockLogDir(dir);
  let recovered: Awaited<ReturnType<typeof recoverLog>>;
  try {
    recovered = await recoverLog(dir, logger, now());
  } catch (error) {
    await unlock();
    throw error;
  }
  const { logId, index, segments } = recovered;
  let cursor: Cursor = recovered.cursor;
  let committedEnd = recovered.committedEnd;
  let lastPosition = segments.length > 0 ? (segments[segments.length - 1] as SegmentInfo).lastSeq : cursor.committed;
  let lastEnd = index.length > 0 ? index.end(lastPosition) : committedEnd;

  let active: { info: SegmentInfo; handle: FileHandle } | undefined;
  const last = segments[segments.length - 1];
  if (last) active = { info: last, handle: await open(last.path, 'r+') };

  const queue: Queued[] = [];
  let reservedBytes = 0;
  let flushing: Promise<void> | undefined;
  let closed = false;
  let broken: Error | undefined;
  let fsyncs = 0;
  let lastFsyncMs = 0;
  let appends = 0;
  let cursorChain: Promise<unknown> = Promise.resolve();
  const waiters = new Set<() => void>();

  const retentionTimer =
    keepRawMs > 0
      ? setInterval(() => {
          void serialize(applyRetention).catch((error: unknown) => logger.warn({ err: error, dir }, 'write-ahead log retention failed; will retry'));
        }, Math.min(keepRawMs, DEFAULTS.walRetentionCheckMs))
      : undefined;
  retentionTimer?.unref();

  function unavailable(message: string, cause?: unknown): CollectorError {
    return new CollectorError('unavailable', message, { cause, retryAfterSeconds: DEFAULTS.walRetryAfterSeconds });
  }

  async function sync(handle: FileHandle): Promise<void> {
    const started = performance.now();
    await handle.datasync();
    lastFsyncMs = performance.now() - started;
    fsyncs++;
  }

  async function rotate(startSeq: number): Promise<void> {
    const path = join(dir, segmentFileName(startSeq));
    const handle = await open(path, 'wx');
    try {
      await handle.write(encodeSegmentHeader({ startSeq, logId }), 0, SEGMENT_HEADER_BYTES, 0);
      await sync(handle);
      await fsyncDir(dir);
    } catch (error) {
      await handle.close().catch(() => {});
      await unlink(path).catch(() => {});
      throw error;
    }
    if (active) await active.handle.close();
    const info: SegmentInfo = { startSeq, lastSeq: startSeq - 1, path, size: SEGMENT_HEADER_BYTES, logicalBase: lastEnd, modifiedAt: now() };
    segments.push(info);
    active = { info, handle };
  }

  /** Writes entries (all in the active segment) and fsyncs once; returns nothing until durable. */
  async function writePart(part: Queued[]): Promise<void> {
    const target = active as { info: SegmentInfo; handle: FileHandle };
    const total = part.reduce((sum, entry) => sum + entry.size, 0);
    const buf = Buffer.allocUnsafe(total);
    const appendedAt = now();
    let offset = 0;
    let seq = lastPosition + 1;
    for (const entry of part) offset = writeRecord(buf, offset, seq++, appendedAt, entry.payload);
    const before = target.info.size;
    try {
      for (let written = 0; written < total; ) {
        const { bytesWritten } = await target.handle.write(buf, written, total - written, before + written);
        written += bytesWritten;
      }
      await sync(target.handle);
    } catch (error) {
      try {
        await target.handle.truncate(before);
      } catch (truncateError) {
        broken = unavailable(`the write-ahead log in ${dir} failed and could not be repaired (${(truncateError as Error).message}); restart the collector after checking the disk`, error);
      }
      throw error;
    }
    target.info.size = before + total;
    target.info.modifiedAt = appendedAt;
    let end = lastEnd;
    for (const entry of part) {
      end += entry.size;
      index.push(end, appendedAt);
      lastPosition++;
      reservedBytes -= entry.size;
      entry.settled = true;
      entry.resolve(lastPosition);
    }
    lastEnd = end;
    target.info.lastSeq = lastPosition;
    appends += part.length;
    for (const wake of [...waiters]) wake();
  }

  async function writeGroup(group: Queued[]): Promise<void> {
    let part: Queued[] = [];
    let partBytes = 0;
    for (const entry of group) {
      const needsSegment = !active || (active.info.size + partBytes > SEGMENT_HEADER_BYTES && active.info.size + partBytes + entry.size > segmentBytes);
      if (needsSegment) {
        if (part.length > 0) await writePart(part);
        await rotate(lastPosition + 1);
        part = [];
        partBytes = 0;
      }
      part.push(entry);
      partBytes += entry.size;
    }
    if (part.length > 0) await writePart(part);
  }

  async function flushLoop(): Promise<void> {
    while (queue.length > 0) {
      const group = queue.splice(0);
      try {
        if (broken) throw broken;
        await writeGroup(group);
      } catch (error) {
        const wrapped = error instanceof CollectorError ? error : unavailable(`could not write to the write-ahead log in ${dir} (${(error as Error).message}); check free space and permissions`, error);
        logger.error({ err: error, dir, records: group.length }, 'write-ahead log append failed');
        for (const entry of group) {
          if (entry.settled) continue; // made durable by an earlier part of the group
          entry.settled = true;
          reservedBytes -= entry.size;
          entry.reject(wrapped);
        }
      }
    }
    flushing = undefined;
  }

  function serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = cursorChain.then(task, task);
    cursorChain = run.catch(() => {});
    return run;
  }

  async function applyRetention(): Promise<void> {
    const cutoff = now() - keepRawMs;
    let removed = 0;
    while (segments.length > 1) {
      const oldest = segments[0] as SegmentInfo;
      if (oldest.lastSeq > cursor.committed || (keepRawMs > 0 && oldest.modifiedAt > cutoff)) break;
      await unlink(oldest.path);
      segments.shift();
      removed++;
    }
    if (removed > 0) await fsyncDir(dir);
  }

  const wal: WriteAheadLog = {
    dir,
    logId,
    maxBytes,
    repairs: recovered.repairs,

    append(payload) {
      if (closed) return Promise.reject(unavailable(`the write-ahead log in ${dir} is closed; the collector is shutting down`));
      if (broken) return Promise.reject(broken);
      const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
      const size = recordSize(bytes.byteLength);
      if (bytes.byteLength > MAX_PAYLOAD_BYTES || size > maxBytes) {
        return Promise.reject(new CollectorError('payload_too_large', `a write-ahead log record of ${bytes.byteLength} bytes can never fit in a log of ${maxBytes} bytes; send smaller batches or raise the log size`));
      }
      if (reservedBytes > 0 && reservedBytes + size > maxQueuedBytes) {
        return Promise.reject(
          new CollectorError('overloaded', `the disk under the write-ahead log (${dir}) is not keeping up: ${(reservedBytes / 1024 / 1024).toFixed(0)} MiB wait to be written; retry after ${DEFAULTS.retryAfterSeconds} s`, { retryAfterSeconds: DEFAULTS.retryAfterSeconds }),
        );
      }
      if (lastEnd - committedEnd + reservedBytes + size > maxBytes) {
        const retryAfterSeconds = DEFAULTS.walRetryAfterSeconds;
        return Promise.reject(
          new CollectorError('overloaded', `the write-ahead log is full (${(maxBytes / 1024 / 1024).toFixed(0)} MiB) because ClickHouse is not keeping up; retry after ${retryAfterSeconds} s`, { retryAfterSeconds }),
        );
      }
      reservedBytes += size;
      return new Promise<Position>((resolve, reject) => {
        queue.push({ payload: bytes, size, settled: false, resolve, reject });
        // Started on the next microtask, so appends made in the same tick share the first fsync too.
        flushing ??= Promise.resolve().then(flushLoop);
      });
    },

    async readFrom(position, limit, maxPayloadBytes = Number.POSITIVE_INFINITY) {
      const first = Math.max(position, cursor.committed) + 1;
      const lastWanted = Math.min(lastPosition, first + Math.max(limit, 1) - 1);
      if (first > lastWanted) return [];
      const startOf = (seq: number): number => (seq - 1 === cursor.committed ? committedEnd : index.end(seq - 1));
      const start = startOf(first);
      let stop = first;
      while (stop < lastWanted && index.end(stop + 1) - start <= maxPayloadBytes) stop++;
      const end = index.end(stop);
      const out: WalRecord[] = [];
      let seq = first;
      for (const segment of segments) {
        const segStart = segment.logicalBase;
        const segEnd = segment.logicalBase + segment.size - SEGMENT_HEADER_BYTES;
        if (segEnd <= start || segStart >= end) continue;
        const from = Math.max(start, segStart);
        const to = Math.min(end, segEnd);
        const records = await readSegmentSpan(segment, from, to, seq);
        seq += records.length;
        out.push(...records);
      }
      if (out.length !== stop - first + 1) {
        throw new CollectorError('internal', `the write-ahead log in ${dir} returned ${out.length} records for ${first}…${stop}; this is a bug in Sluice, please report it`);
      }
      return out;
    },

    commit(position) {
      return serialize(async () => {
        if (position <= cursor.committed) return;
        if (position > lastPosition) {
          throw new CollectorError('internal', `cannot commit write-ahead log position ${position}: the last record is ${lastPosition}; this is a bug in Sluice, please report it`);
        }
        const pending = cursor.pending !== null && cursor.pending.last > position ? cursor.pending : null;
        const next: Cursor = { logId, committed: position, pending };
        await writeCursor(dir, next);
        committedEnd = index.end(position);
        index.dropThrough(position);
        cursor = next;
        await applyRetention();
      });
    },

    markPending(range) {
      return serialize(async () => {
        if (range.first !== cursor.committed + 1 || range.last < range.first || range.last > lastPosition) {
          throw new CollectorError('internal', `invalid pending range ${range.first}…${range.last} (committed ${cursor.committed}, last ${lastPosition}); this is a bug in Sluice, please report it`);
        }
        const next: Cursor = { logId, committed: cursor.committed, pending: { first: range.first, last: range.last } };
        await writeCursor(dir, next);
        cursor = next;
      });
    },

    cursor: () => cursor,
    lastPosition: () => lastPosition,

    waitForRecords(position, signal) {
      if (lastPosition > position || closed || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const wake = (): void => {
          if (lastPosition <= position && !closed && !signal?.aborted) return;
          waiters.delete(wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        waiters.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    },

    bytes: () => lastEnd - committedEnd,

    oldestUnsentAgeMs: () => (index.length === 0 ? 0 : Math.max(0, now() - index.appendedAt(index.firstSeq))),

    stats: () => ({
      bytes: lastEnd - committedEnd,
      diskBytes: segments.reduce((sum, segment) => sum + segment.size, 0),
      segments: segments.length,
      fsyncs,
      lastFsyncMs,
      appends,
      committed: cursor.committed,
      lastPosition,
    }),

    async close() {
      if (closed) return;
      closed = true;
      while (flushing) await flushing;
      await cursorChain;
      if (retentionTimer) clearInterval(retentionTimer);
      for (const wake of [...waiters]) wake();
      await active?.handle.close();
      active = undefined;
      await unlock();
    },
  };
  return wal;
}

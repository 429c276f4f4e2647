import { open, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import type { Logger } from '../logger';
import { fsyncDir } from './cursor-file';
import type { LogState } from './log-state';
import { MAX_PAYLOAD_BYTES, recordSize, writeRecord } from './record-codec';
import type { SegmentInfo } from './recovery';
import { SEGMENT_HEADER_BYTES, encodeSegmentHeader, segmentFileName } from './segment-format';
import type { Position } from './wal-types';

interface Queued {
  payload: Uint8Array;
  size: number;
  settled: boolean;
  resolve: (position: Position) => void;
  reject: (error: unknown) => void;
}

export interface AppenderOptions {
  state: LogState;
  maxBytes: number;
  segmentBytes: number;
  maxQueuedBytes: number;
  logger: Logger;
  now: () => number;
  /** Called after records became durable. */
  onDurable: () => void;
  /** Free bytes of the filesystem under the log (disk-budget.ts). */
  freeBytes: (dir: string) => Promise<number>;
}

export interface Appender {
  /** Resolves once the record is fsynced; appends made during an fsync share the next one (group commit). */
  append(payload: Uint8Array): Promise<Position>;
  /**
   * Closes the active segment when no append is being written, so that retention can delete it once
   * committed; the next append starts a new segment. True when it sealed.
   */
  seal(): Promise<boolean>;
  /** True after an append failed (a full disk, say) and before the next seal. */
  failedSinceSeal(): boolean;
  /** Waits for the appends being written. */
  settle(): Promise<void>;
  stats(): { fsyncs: number; lastFsyncMs: number; appends: number };
}

/**
 * The write side of the log: group commit (many appends, one write and one fdatasync) into the
 * active segment, and rotation into a new segment past `segmentBytes`. A failed write is cut off
 * again, so the segment never keeps bytes nobody was told about.
 */
export function createAppender(options: AppenderOptions): Appender {
  const { state, maxBytes, segmentBytes, maxQueuedBytes, logger, now } = options;
  const dir = state.dir;
  const queue: Queued[] = [];
  let reservedBytes = 0;
  let flushing: Promise<void> | undefined;
  let broken: Error | undefined;
  let failed = false;
  let fsyncs = 0;
  let lastFsyncMs = 0;
  let appends = 0;

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
      await handle.write(encodeSegmentHeader({ startSeq, logId: state.logId }), 0, SEGMENT_HEADER_BYTES, 0);
      await sync(handle);
      await fsyncDir(dir);
    } catch (error) {
      await handle.close().catch(() => {});
      await unlink(path).catch(() => {});
      throw error;
    }
    if (state.active) await state.active.handle.close();
    const info: SegmentInfo = { startSeq, lastSeq: startSeq - 1, path, size: SEGMENT_HEADER_BYTES, logicalBase: state.lastEnd, modifiedAt: now() };
    state.segments.push(info);
    state.active = { info, handle };
  }

  /** Writes entries (all in the active segment) and fsyncs once; returns nothing until durable. */
  async function writePart(part: Queued[]): Promise<void> {
    const target = state.active as NonNullable<LogState['active']>;
    const total = part.reduce((sum, entry) => sum + entry.size, 0);
    const buf = Buffer.allocUnsafe(total);
    const appendedAt = now();
    let offset = 0;
    let seq = state.lastPosition + 1;
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
    let end = state.lastEnd;
    for (const entry of part) {
      end += entry.size;
      state.index.push(end, appendedAt);
      state.lastPosition++;
      reservedBytes -= entry.size;
      entry.settled = true;
      entry.resolve(state.lastPosition);
    }
    state.lastEnd = end;
    target.info.lastSeq = state.lastPosition;
    appends += part.length;
    options.onDurable();
  }

  async function writeGroup(group: Queued[]): Promise<void> {
    // Appends stop short of the last bytes of the disk: the cursor and a new segment header must
    // still fit, or a drained log could not commit and give its segments back.
    const bytes = group.reduce((sum, entry) => sum + entry.size, 0);
    const free = await options.freeBytes(dir);
    if (free - bytes < DEFAULTS.walDiskReserveBytes) {
      throw unavailable(`the disk under the write-ahead log (${dir}) is full (${free} bytes free): the collector takes events again once ClickHouse has the ones it holds; free space or move --wal to a larger disk`);
    }
    let part: Queued[] = [];
    let partBytes = 0;
    for (const entry of group) {
      const active = state.active;
      const needsSegment = !active || (active.info.size + partBytes > SEGMENT_HEADER_BYTES && active.info.size + partBytes + entry.size > segmentBytes);
      if (needsSegment) {
        if (part.length > 0) await writePart(part);
        await rotate(state.lastPosition + 1);
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
        failed = true;
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

  return {
    append(bytes) {
      if (broken) return Promise.reject(broken);
      const size = recordSize(bytes.byteLength);
      if (bytes.byteLength > MAX_PAYLOAD_BYTES || size > maxBytes) {
        return Promise.reject(new CollectorError('payload_too_large', `a write-ahead log record of ${bytes.byteLength} bytes can never fit in a log of ${maxBytes} bytes; send smaller batches or raise the log size`));
      }
      if (reservedBytes > 0 && reservedBytes + size > maxQueuedBytes) {
        return Promise.reject(
          new CollectorError('overloaded', `the disk under the write-ahead log (${dir}) is not keeping up: ${(reservedBytes / 1024 / 1024).toFixed(0)} MiB wait to be written; retry after ${DEFAULTS.retryAfterSeconds} s`, { retryAfterSeconds: DEFAULTS.retryAfterSeconds }),
        );
      }
      if (state.lastEnd - state.committedEnd + reservedBytes + size > maxBytes) {
        const retryAfterSeconds = DEFAULTS.walRetryAfterSeconds;
        return Promise.reject(
          new CollectorError('overloaded', `the write-ahead log is full (${(maxBytes / 1024 / 1024).toFixed(1)} MiB) because ClickHouse is not keeping up; retry after ${retryAfterSeconds} s`, { retryAfterSeconds }),
        );
      }
      reservedBytes += size;
      return new Promise<Position>((resolve, reject) => {
        queue.push({ payload: bytes, size, settled: false, resolve, reject });
        // Started on the next microtask, so appends made in the same tick share the first fsync too.
        flushing ??= Promise.resolve().then(flushLoop);
      });
    },

    async seal() {
      const active = state.active;
      if (flushing || !active) return false;
      state.active = undefined;
      failed = false;
      await active.handle.close();
      return true;
    },

    failedSinceSeal: () => failed,

    async settle() {
      while (flushing) await flushing;
    },

    stats: () => ({ fsyncs, lastFsyncMs, appends }),
  };
}

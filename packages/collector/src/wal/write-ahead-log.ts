import { mkdir, open } from 'node:fs/promises';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import { silentLogger } from '../logger';
import type { Cursor } from './cursor-file';
import { pendingAfter, writeCursor } from './cursor-file';
import { lockLogDir } from './dir-lock';
import { freeBytesOf, weighDisk } from './disk-budget';
import type { LogState } from './log-state';
import { readRecords } from './log-reader';
import type { SegmentInfo } from './recovery';
import { recoverLog } from './recovery';
import { applyRetention } from './retention';
import { createAppender } from './segment-appender';
import { checkTarget } from './target-file';
import type { WriteAheadLog, WriteAheadLogOptions } from './wal-types';


/**
 * Opens (recovering if needed, see recovery.ts) or creates the write-ahead log in `dir`. Layout:
 * segment files `<startSeq>.wal` (segment-format.ts) holding checksummed records (record-codec.ts),
 * `cursor.json` (cursor-file.ts), `target` (target-file.ts) and `LOCK` (dir-lock.ts). One process
 * per directory. This module puts the parts together and owns the cursor; appends are in
 * segment-appender.ts, reads in log-reader.ts, deletion in retention.ts.
 */
export async function createWriteAheadLog(options: WriteAheadLogOptions): Promise<WriteAheadLog> {
  const dir = options.dir;
  const keepRawMs = options.keepRawMs ?? DEFAULTS.walKeepRawMs;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;

  const freeBytes = options.freeBytes ?? freeBytesOf;

  await mkdir(dir, { recursive: true });
  const unlock = await lockLogDir(dir);
  let state: LogState;
  let budget: ReturnType<typeof weighDisk>;
  let repairs: readonly string[];
  try {
    const recovered = await recoverLog(dir, logger, now());
    const segments = recovered.segments;
    const lastPosition = segments.length > 0 ? (segments[segments.length - 1] as SegmentInfo).lastSeq : recovered.cursor.committed;
    await checkTarget(dir, options.target, lastPosition - recovered.cursor.committed);
    const diskBytes = segments.reduce((sum, segment) => sum + segment.size, 0);
    const free = await freeBytes(dir);
    budget = weighDisk({ maxBytes: options.maxBytes ?? DEFAULTS.walMaxBytes, segmentBytes: options.segmentBytes ?? DEFAULTS.walSegmentBytes }, free + diskBytes);
    if (budget.limitedBy) logger.warn({ dir, maxBytes: budget.maxBytes }, `write-ahead log in ${dir}: ${budget.limitedBy}`);
    const last = segments[segments.length - 1];
    state = {
      dir,
      logId: recovered.logId,
      segments,
      index: recovered.index,
      cursor: recovered.cursor,
      committedEnd: recovered.committedEnd,
      lastPosition,
      lastEnd: recovered.index.length > 0 ? recovered.index.end(lastPosition) : recovered.committedEnd,
      active: last ? { info: last, handle: await open(last.path, 'r+') } : undefined,
    };
    repairs = recovered.repairs;
  } catch (error) {
    await unlock();
    throw error;
  }

  const waiters = new Set<() => void>();
  const wakeWaiters = (): void => {
    for (const wake of [...waiters]) wake();
  };
  const appender = createAppender({
    state,
    maxBytes: budget.maxBytes,
    segmentBytes: budget.segmentBytes,
    maxQueuedBytes: options.maxQueuedBytes ?? DEFAULTS.walMaxQueuedBytes,
    logger,
    now,
    onDurable: wakeWaiters,
    freeBytes,
  });
  let closed = false;
  let cursorChain: Promise<unknown> = Promise.resolve();

  function serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = cursorChain.then(task, task);
    cursorChain = run.catch(() => {});
    return run;
  }

  const retentionTimer =
    keepRawMs > 0
      ? setInterval(() => {
          void serialize(() => applyRetention(state, keepRawMs, now())).catch((error: unknown) => logger.warn({ err: error, dir }, 'write-ahead log retention failed; will retry'));
        }, Math.min(keepRawMs, DEFAULTS.walRetentionCheckMs))
      : undefined;
  retentionTimer?.unref();

  const bytes = (): number => state.lastEnd - state.committedEnd;

  return {
    dir,
    logId: state.logId,
    maxBytes: budget.maxBytes,
    repairs,

    append(payload) {
      if (closed) return Promise.reject(new CollectorError('unavailable', `the write-ahead log in ${dir} is closed; the collector is shutting down`, { retryAfterSeconds: DEFAULTS.walRetryAfterSeconds }));
      return appender.append(typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload);
    },

    readFrom: (position, limit, maxPayloadBytes) => readRecords(state, position, limit, maxPayloadBytes),

    commit(position) {
      return serialize(async () => {
        const { cursor } = state;
        if (position <= cursor.committed) return;
        if (position > state.lastPosition) {
          throw new CollectorError('internal', `cannot commit write-ahead log position ${position}: the last record is ${state.lastPosition}; this is a bug in Sluice, please report it`);
        }
        const next: Cursor = { logId: state.logId, committed: position, pending: cursor.pending === null ? null : pendingAfter(cursor.pending, position) };
        await writeCursor(dir, next);
        state.committedEnd = state.index.end(position);
        state.index.dropThrough(position);
        state.cursor = next;
        // A drained log whose last append failed (a full disk) gives the active segment back.
        if (position === state.lastPosition && appender.failedSinceSeal()) await appender.seal();
        await applyRetention(state, keepRawMs, now());
      });
    },

    markPending(range) {
      return serialize(async () => {
        const { cursor } = state;
        if (range.first !== cursor.committed + 1 || range.last < range.first || range.last > state.lastPosition) {
          throw new CollectorError('internal', `invalid pending range ${range.first}…${range.last} (committed ${cursor.committed}, last ${state.lastPosition}); this is a bug in Sluice, please report it`);
        }
        const pending = range.ends !== undefined && range.ends.length > 1 ? { first: range.first, last: range.last, ends: [...range.ends] } : { first: range.first, last: range.last };
        const next: Cursor = { logId: state.logId, committed: cursor.committed, pending };
        await writeCursor(dir, next);
        state.cursor = next;
      });
    },

    cursor: () => state.cursor,
    lastPosition: () => state.lastPosition,

    waitForRecords(position, signal) {
      if (state.lastPosition > position || closed || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const wake = (): void => {
          if (state.lastPosition <= position && !closed && !signal?.aborted) return;
          waiters.delete(wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        waiters.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    },

    bytes,

    oldestUnsentAgeMs: () => (state.index.length === 0 ? 0 : Math.max(0, now() - state.index.appendedAt(state.index.firstSeq))),

    stats: () => ({
      bytes: bytes(),
      diskBytes: state.segments.reduce((sum, segment) => sum + segment.size, 0),
      segments: state.segments.length,
      ...appender.stats(),
      committed: state.cursor.committed,
      lastPosition: state.lastPosition,
    }),

    async close() {
      if (closed) return;
      closed = true;
      await appender.settle();
      await cursorChain;
      if (retentionTimer) clearInterval(retentionTimer);
      wakeWaiters();
      await state.active?.handle.close();
      state.active = undefined;
      await unlock();
    },
  };
}

import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import type { RowBatch } from '../rows';
import type { Sink } from '../sink';
import type { PendingRange } from './cursor-file';
import { encodeSinkPayload } from './sink-payload';
import type { InsertBatch, WalBatch } from './wal-batch';
import { assembleBatch, recordRows } from './wal-batch';
import type { WalRecord, WriteAheadLog } from './write-ahead-log';

/** Structurally a subset of metrics.ts's WriterObserver, so `metrics.observer` can be passed as is. */
export interface WalSinkObserver {
  onInsert?(rows: number, bytes: number, ms: number): void;
  onRetry?(error: unknown): void;
  onQuarantine?(rows: number): void;
  /** A batch is in ClickHouse and the cursor moved past it. */
  onCommit?(batch: { token: string; first: number; last: number; rows: number }): void;
  /** A batch recorded as pending before a restart was re-sent (with its recorded token) and committed. */
  onReplay?(batch: { token: string; first: number; last: number; rows: number }): void;
}

export interface WalSinkOptions {
  wal: WriteAheadLog;
  insert: InsertBatch;
  logger?: Logger;
  batchMaxRows?: number;
  batchMaxBytes?: number;
  batchMaxDelayMs?: number;
  /** Backoff between failed inserts (full jitter); retried until ClickHouse takes the batch. */
  retry?: { baseMs?: number; capMs?: number };
  observer?: WalSinkObserver;
  /** Injected for tests. */
  random?: () => number;
}

export interface WalSink extends Sink {
  /** Resolves once everything appended so far is committed (or the sink is closed). */
  drained(): Promise<void>;
}

/**
 * The `ack: 'wal'` sink. `write` appends one record per request and resolves once it is fsynced
 * (group commit). A drain loop forms batches from the log, records each batch's range in the cursor
 * BEFORE inserting it, inserts with the range's dedup token, and commits only after ClickHouse
 * acknowledged. ClickHouse being down fills the log (bounded: `write` then answers overloaded), never
 * memory. `close` stops writes, drains within the deadline, aborts what is still in flight (it will
 * be re-sent with the same token on the next start) and closes the log.
 */
export function createWalSink(options: WalSinkOptions): WalSink {
  const { wal, insert } = options;
  const logger = options.logger ?? silentLogger;
  const observer = options.observer ?? {};
  const batchMaxRows = options.batchMaxRows ?? DEFAULTS.batchMaxRows;
  const batchMaxBytes = options.batchMaxBytes ?? DEFAULTS.batchMaxBytes;
  const batchMaxDelayMs = options.batchMaxDelayMs ?? DEFAULTS.batchMaxDelayMs;
  const baseMs = options.retry?.baseMs ?? DEFAULTS.insertRetry.baseMs;
  const capMs = options.retry?.capMs ?? DEFAULTS.insertRetry.capMs;
  const random = options.random ?? Math.random;

  let closing = false;
  /** Aborted when close() runs out of time: the insert in flight and every wait stop. */
  const stop = new AbortController();
  /** Aborted when close() starts: batching stops waiting for more records. */
  const hurry = new AbortController();
  const drainWaiters = new Set<() => void>();
  const writes = new Set<Promise<unknown>>();

  const isDrained = (): boolean => wal.cursor().committed >= wal.lastPosition();
  const wakeDrainWaiters = (): void => {
    if (!isDrained() && !stop.signal.aborted) return;
    for (const wake of [...drainWaiters]) wake();
  };

  /** Reads the records of a recorded range (after a restart, or after a failed attempt). */
  async function readRange(range: PendingRange): Promise<WalRecord[]> {
    const out: WalRecord[] = [];
    let after = range.first - 1;
    while (after < range.last) {
      const records = await wal.readFrom(after, range.last - after, batchMaxBytes);
      if (records.length === 0) throw new CollectorError('internal', `write-ahead log records ${after + 1}…${range.last} are missing; this is a bug in Sluice, please report it`);
      out.push(...records);
      after = (records[records.length - 1] as WalRecord).position;
    }
    return out.slice(0, range.last - range.first + 1);
  }

  /** Collects records after the cursor until a batch is full, due, or the sink is closing. */
  async function formBatch(): Promise<WalRecord[]> {
    const committed = wal.cursor().committed;
    const records: WalRecord[] = [];
    let rows = 0;
    let bytes = 0;
    let after = committed;
    let firstAt: number | undefined;
    for (;;) {
      const fresh = await wal.readFrom(after, batchMaxRows, batchMaxBytes);
      for (const record of fresh) {
        const size = recordRows(record, logger);
        if (records.length > 0 && (rows + size.rows > batchMaxRows || bytes + size.bytes > batchMaxBytes)) return records;
        records.push(record);
        rows += size.rows;
        bytes += size.bytes;
        firstAt ??= record.appendedAt;
        after = record.position;
        if (rows >= batchMaxRows || bytes >= batchMaxBytes) return records;
      }
      if (stop.signal.aborted) return [];
      if (records.length > 0 && (hurry.signal.aborted || Date.now() - (firstAt as number) >= batchMaxDelayMs)) return records;
      const waitMs = firstAt === undefined ? undefined : Math.max(1, (firstAt as number) + batchMaxDelayMs - Date.now());
      await waitForMore(after, waitMs);
    }
  }

  /** Until a record after `after` is durable, `ms` pass, or the sink hurries or stops. */
  async function waitForMore(after: number, ms: number | undefined): Promise<void> {
    const done = new AbortController();
    const abort = (): void => done.abort();
    stop.signal.addEventListener('abort', abort, { once: true });
    hurry.signal.addEventListener('abort', abort, { once: true });
    if (stop.signal.aborted || hurry.signal.aborted) done.abort();
    const timer = ms === undefined ? undefined : setTimeout(abort, ms);
    try {
      await wal.waitForRecords(after, done.signal);
    } finally {
      if (timer) clearTimeout(timer);
      done.abort();
      stop.signal.removeEventListener('abort', abort);
      hurry.signal.removeEventListener('abort', abort);
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (stop.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        stop.signal.removeEventListener('abort', done);
        resolve();
      }
      stop.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Tries until the insert succeeds; false only when the close deadline aborted it. */
  async function insertUntilDone(batch: WalBatch): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (stop.signal.aborted) return false;
      const started = performance.now();
      try {
        await insert(batch, stop.signal);
        observer.onInsert?.(batch.eventRows, batch.events.length, performance.now() - started);
        if (batch.quarantineRows > 0) observer.onQuarantine?.(batch.quarantineRows);
        return true;
      } catch (error) {
        if (stop.signal.aborted) return false;
        observer.onRetry?.(error);
        const delay = Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30)));
        logger.warn(
          { err: error, token: batch.token, rows: batch.eventRows + batch.quarantineRows, attempt: attempt + 1, retryInMs: delay, logBytes: wal.bytes() },
          'insert from the write-ahead log failed; the batch stays in the log and is retried with the same dedup token',
        );
        await sleep(delay);
      }
    }
  }

  async function drainOnce(): Promise<void> {
    const cursor = wal.cursor();
    let records: WalRecord[];
    const resumed = cursor.pending !== null;
    if (cursor.pending !== null) {
      records = await readRange(cursor.pending);
    } else {
      if (wal.lastPosition() <= cursor.committed) {
        wakeDrainWaiters();
        if (hurry.signal.aborted) return;
        await waitForMore(cursor.committed, undefined);
        return;
      }
      records = await formBatch();
      if (records.length === 0) return;
      const first = (records[0] as WalRecord).position;
      const last = (records[records.length - 1] as WalRecord).position;
      await wal.markPending({ first, last });
    }
    const batch = assembleBatch(wal.logId, records, logger);
    if (!(await insertUntilDone(batch))) return;
    await wal.commit(batch.last);
    const committed = { token: batch.token, first: batch.first, last: batch.last, rows: batch.eventRows + batch.quarantineRows };
    observer.onCommit?.(committed);
    if (resumed) observer.onReplay?.(committed);
    wakeDrainWaiters();
  }

  async function drainLoop(): Promise<void> {
    let failures = 0;
    while (!stop.signal.aborted && !(hurry.signal.aborted && isDrained())) {
      try {
        await drainOnce();
        failures = 0;
      } catch (error) {
        failures++;
        const delay = Math.min(capMs, baseMs * 2 ** Math.min(failures, 30));
        logger.error({ err: error, dir: wal.dir, retryInMs: delay }, 'the write-ahead log drain failed; retrying');
        await sleep(delay);
      }
    }
    wakeDrainWaiters();
  }

  const loop = drainLoop();

  return {
    async write(rows: RowBatch) {
      if (closing) throw new CollectorError('unavailable', 'the collector is shutting down; retry against another instance or after it restarts', { retryAfterSeconds: DEFAULTS.retryAfterSeconds });
      if (rows.events.length === 0 && rows.quarantine.length === 0) return;
      const appended = wal.append(encodeSinkPayload(rows));
      writes.add(appended);
      try {
        await appended;
      } finally {
        writes.delete(appended);
      }
    },

    async ready() {
      return !closing && wal.bytes() < DEFAULTS.walReadyMaxFill * wal.maxBytes;
    },

    drained() {
      if (isDrained() || stop.signal.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const wake = (): void => {
          drainWaiters.delete(wake);
          resolve();
        };
        drainWaiters.add(wake);
      });
    },

    async close(deadlineMs = DEFAULTS.shutdownDeadlineMs) {
      const timer = setTimeout(() => stop.abort(), deadlineMs);
      try {
        if (!closing) {
          closing = true;
          // Appends already accepted finish first, so what they acknowledge is drained too.
          await Promise.allSettled([...writes]);
          hurry.abort();
        }
        await loop;
      } finally {
        clearTimeout(timer);
      }
      const left = wal.lastPosition() - wal.cursor().committed;
      if (left > 0) logger.warn({ dir: wal.dir, records: left }, `shutdown deadline passed with ${left} records still in the write-ahead log; they are sent on the next start`);
      await wal.close();
    },
  };
}

import type { InsertOutcome } from '../clickhouse/insert-batch';
import type { RetryOptions, RetryPlatform } from '../clickhouse/retry-policy';
import { createRetryPolicy } from '../clickhouse/retry-policy';
import { abortableSleep } from '../clickhouse/sleep';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import type { RowBatch } from '../rows';
import type { Sink } from '../sink';
import { createBatchFormer } from './batch-former';
import { encodeSinkPayload } from './sink-payload';
import type { WalBatch } from './wal-batch';
import { assembleBatch, recordRows } from './wal-batch';
import type { WalRecord, WriteAheadLog } from './wal-types';

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

/**
 * Sends one batch from the log, one try (the sink retries): the insert chain without its retry
 * policy (clickhouse/insert-chain.ts), or any function with that contract.
 */
export type WalInsert = (batch: WalBatch, signal: AbortSignal) => Promise<InsertOutcome | void>;

export interface WalSinkOptions {
  wal: WriteAheadLog;
  insert: WalInsert;
  logger?: Logger;
  batchMaxRows?: number;
  batchMaxBytes?: number;
  batchMaxDelayMs?: number;
  /** Batches inserted at once when the log has a backlog of full batches; 2 by default. */
  insertConcurrency?: number;
  /** Rows in the log not yet in ClickHouse before `write` answers overloaded; only the log's byte cap bounds them when unset. */
  maxBufferedRows?: number;
  /**
   * Backoff between failed inserts (full jitter). A batch is retried until ClickHouse takes it; past
   * `attempts` failures in a row, `ready()` answers false until an insert succeeds.
   */
  retry?: RetryOptions;
  observer?: WalSinkObserver;
  /** Injected for tests. */
  random?: RetryPlatform['random'];
  sleep?: RetryPlatform['sleep'];
  now?: () => number;
}

export interface WalSink extends Sink {
  /** Resolves once everything appended so far is committed (or the sink is closed). */
  drained(): Promise<void>;
}

/**
 * The `ack: 'wal'` sink. `write` appends one record per request and resolves once it is fsynced
 * (group commit). A drain loop forms batches from the log, records their ranges in the cursor
 * BEFORE inserting them, inserts each with its range's dedup token (up to `insertConcurrency` at
 * once), and commits them in order only after ClickHouse acknowledged. ClickHouse being down fills
 * the log (bounded: `write` then answers overloaded), never memory. `close` stops writes, drains
 * within the deadline, aborts what is still in flight (it will be re-sent with the same token on
 * the next start) and closes the log.
 */
export function createWalSink(options: WalSinkOptions): WalSink {
  const { wal, insert } = options;
  const logger = options.logger ?? silentLogger;
  const observer = options.observer ?? {};
  const batchMaxRows = options.batchMaxRows ?? DEFAULTS.batchMaxRows;
  const batchMaxBytes = options.batchMaxBytes ?? DEFAULTS.batchMaxBytes;
  const batchMaxDelayMs = options.batchMaxDelayMs ?? DEFAULTS.batchMaxDelayMs;
  const concurrency = Math.max(1, options.insertConcurrency ?? DEFAULTS.insertConcurrency);
  const maxBufferedRows = options.maxBufferedRows;
  const unhealthyAfter = options.retry?.attempts ?? DEFAULTS.insertRetry.attempts;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  // What the log acknowledged is never given up on: every failure is retried, forever.
  const policy = createRetryPolicy({ ...options.retry, attempts: Number.POSITIVE_INFINITY }, { random: options.random, sleep });

  let closing = false;
  /** Aborted when close() runs out of time: the inserts in flight and every wait stop. */
  const stop = new AbortController();
  /** Aborted when close() starts: batching stops waiting for more records. */
  const hurry = new AbortController();
  const drainWaiters = new Set<() => void>();
  const writes = new Set<Promise<unknown>>();
  let failuresInRow = 0;
  /** Rows appended and not yet committed; counted only when `maxBufferedRows` is set. */
  let backlogRows = 0;
  const counted = maxBufferedRows === undefined ? Promise.resolve() : countBacklog();

  const isDrained = (): boolean => wal.cursor().committed >= wal.lastPosition();
  const wakeDrainWaiters = (): void => {
    if (!isDrained() && !stop.signal.aborted) return;
    for (const wake of [...drainWaiters]) wake();
  };
  const former = createBatchFormer({
    wal, logger, batchMaxRows, batchMaxBytes, batchMaxDelayMs, concurrency, now, sleep,
    stop: stop.signal, hurry: hurry.signal, onDrained: wakeDrainWaiters,
  });

  async function countBacklog(): Promise<void> {
    const last = wal.lastPosition();
    let after = wal.cursor().committed;
    while (after < last) {
      const records = await wal.readFrom(after, Math.min(batchMaxRows, last - after), batchMaxBytes);
      if (records.length === 0) break;
      for (const record of records) backlogRows += recordRows(record, logger).rows;
      after = (records[records.length - 1] as WalRecord).position;
    }
  }

  /** Tries until the insert succeeds; false only when the close deadline aborted it. */
  async function insertUntilDone(batch: WalBatch): Promise<boolean> {
    try {
      await policy.run(
        async () => {
          const started = now();
          const outcome = (await insert(batch, stop.signal)) ?? { inserted: batch.eventRows, quarantined: batch.quarantineRows };
          failuresInRow = 0;
          observer.onInsert?.(outcome.inserted, batch.events.length, now() - started);
          if (outcome.quarantined > 0) observer.onQuarantine?.(outcome.quarantined);
        },
        {
          signal: stop.signal,
          retryable: () => true,
          onRetry(error, attempt, retryInMs) {
            failuresInRow++;
            observer.onRetry?.(error);
            const fields = { err: error, token: batch.token, rows: batch.eventRows + batch.quarantineRows, attempt, retryInMs, logBytes: wal.bytes() };
            if (failuresInRow === unhealthyAfter) {
              logger.error(fields, `${failuresInRow} inserts in a row failed; the collector reports not ready until ClickHouse takes a batch again (the events stay in the log)`);
            } else {
              logger.warn(fields, 'insert from the write-ahead log failed; the batch stays in the log and is retried with the same dedup token');
            }
          },
        },
      );
      return true;
    } catch {
      return false;
    }
  }

  async function drainOnce(): Promise<void> {
    const next = await former.next();
    if (!next) return;
    const batches = next.groups.map((group) => assembleBatch(wal.logId, group, logger));
    const inserting = batches.map(insertUntilDone);
    for (const [i, batch] of batches.entries()) {
      if (!(await inserting[i])) {
        await Promise.all(inserting);
        return;
      }
      await wal.commit(batch.last);
      const rows = batch.eventRows + batch.quarantineRows;
      if (maxBufferedRows !== undefined) backlogRows -= rows;
      const committed = { token: batch.token, first: batch.first, last: batch.last, rows };
      observer.onCommit?.(committed);
      if (next.resumed) observer.onReplay?.(committed);
    }
    wakeDrainWaiters();
  }

  async function drainLoop(): Promise<void> {
    await counted;
    while (!stop.signal.aborted && !(hurry.signal.aborted && isDrained())) {
      await policy
        .run(drainOnce, {
          signal: stop.signal,
          retryable: () => true,
          onRetry: (error, attempt, retryInMs) => logger.error({ err: error, dir: wal.dir, attempt, retryInMs }, 'the write-ahead log drain failed; retrying'),
        })
        .catch(() => {});
    }
    wakeDrainWaiters();
  }

  const loop = drainLoop();

  return {
    async write(rows: RowBatch) {
      if (closing) throw new CollectorError('unavailable', 'the collector is shutting down; retry against another instance or after it restarts', { retryAfterSeconds: DEFAULTS.retryAfterSeconds });
      const count = rows.events.length + rows.quarantine.length;
      if (count === 0) return;
      if (maxBufferedRows !== undefined) {
        await counted;
        if (backlogRows > 0 && backlogRows + count > maxBufferedRows) {
          throw new CollectorError('overloaded', `the collector holds ${backlogRows} rows not yet in ClickHouse (writer.maxBufferedRows is ${maxBufferedRows}); retry after ${DEFAULTS.walRetryAfterSeconds} s`, { retryAfterSeconds: DEFAULTS.walRetryAfterSeconds });
        }
        backlogRows += count;
      }
      const appended = wal.append(encodeSinkPayload(rows));
      writes.add(appended);
      try {
        await appended;
      } catch (error) {
        if (maxBufferedRows !== undefined) backlogRows -= count;
        throw error;
      } finally {
        writes.delete(appended);
      }
    },

    async ready() {
      if (closing || failuresInRow >= unhealthyAfter) return false;
      if (maxBufferedRows !== undefined && backlogRows >= maxBufferedRows) return false;
      return wal.bytes() < DEFAULTS.walReadyMaxFill * wal.maxBytes;
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
      const deadline = new AbortController();
      sleep(deadlineMs, deadline.signal).then(() => stop.abort(), () => {});
      try {
        if (!closing) {
          closing = true;
          // Appends already accepted finish first, so what they acknowledge is drained too.
          await Promise.allSettled([...writes]);
          hurry.abort();
        }
        await loop;
      } finally {
        deadline.abort();
      }
      const left = wal.lastPosition() - wal.cursor().committed;
      if (left > 0) logger.warn({ dir: wal.dir, records: left }, `shutdown deadline passed with ${left} records still in the write-ahead log; they are sent on the next start`);
      await wal.close();
    },
  };
}

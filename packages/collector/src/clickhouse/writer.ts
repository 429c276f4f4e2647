import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import { silentLogger } from '../logger';
import type { RowBatch } from '../rows';
import { checkToken } from './identifiers';
import { linesToBuffer } from './insert-batch';
import type { InsertBatch, RowsBatch } from './insert-batch';
import { createInsertChain } from './insert-chain';
import { eventLine, quarantineLine } from './ndjson';
import { createRetryPolicy, withRetry } from './retry-policy';
import type { ClickHouseSink, ClickHouseSinkOptions, WriterStats } from './writer-types';

interface PendingBatch {
  token: string;
  events: string[];
  quarantine: string[];
  bytes: number;
  done: Promise<void>;
  settle(error?: unknown): void;
}

/**
 * The ClickHouse writer of `ack: 'memory'` and `ack: 'clickhouse'`, behind the `Sink` contract:
 * buffers NDJSON lines, cuts a batch at `batchMaxRows`, `batchMaxBytes` or `batchMaxDelayMs`, and
 * sends batches `insertConcurrency` at a time through the insert chain (insert-chain.ts), each with
 * its own stable dedup token.
 */
export function createClickHouseSink(options: ClickHouseSinkOptions): ClickHouseSink {
  const maxRows = options.batchMaxRows ?? DEFAULTS.batchMaxRows;
  const maxBytes = options.batchMaxBytes ?? DEFAULTS.batchMaxBytes;
  const maxDelayMs = options.batchMaxDelayMs ?? DEFAULTS.batchMaxDelayMs;
  const maxBuffered = options.maxBufferedRows ?? DEFAULTS.maxBufferedRows;
  const ack = options.ack ?? 'memory';
  const logger = options.logger ?? silentLogger;
  const observer = options.observer ?? {};
  const prefix = checkToken(options.tokenPrefix ?? `s${randomUUID().slice(0, 13)}`);
  const retryAfterSeconds = Math.max(DEFAULTS.retryAfterSeconds, Math.ceil(maxDelayMs / 1000));
  const stats: WriterStats = {
    bufferedRows: 0, insertedRows: 0, insertedBatches: 0, insertedBytes: 0, retries: 0, quarantinedRows: 0, failedRows: 0,
  };
  const abort = new AbortController();
  const queue = new PQueue({ concurrency: options.insertConcurrency ?? DEFAULTS.insertConcurrency });
  const policy = createRetryPolicy(options.retry, { random: options.random, sleep: options.sleep });
  const chain: InsertBatch = createInsertChain({ client: options.client, database: options.database, logger });
  const insert = withRetry(chain, policy, {
    onRetry(error, attempt, delayMs) {
      stats.retries++;
      observer.onRetry?.(error);
      logger.warn({ err: error, attempt, retryInMs: delayMs }, 'insert failed, retrying with the same dedup token');
    },
  });
  let sequence = 0;
  let current = openBatch();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closing: Promise<void> | undefined;
  /** Batches cut but not started, so a missed close deadline can fail them explicitly. */
  const queued = new Set<PendingBatch>();

  function openBatch(): PendingBatch {
    let settle!: (error?: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    done.catch(() => {}); // in memory mode nobody waits; the failure is logged and counted instead
    return { token: `${prefix}-${++sequence}`, events: [], quarantine: [], bytes: 0, done, settle };
  }

  function cut(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const batch = current;
    if (batch.events.length === 0 && batch.quarantine.length === 0) return;
    current = openBatch();
    queued.add(batch);
    void queue.add(() => run(batch));
  }

  async function run(pending: PendingBatch): Promise<void> {
    queued.delete(pending);
    const rows = pending.events.length + pending.quarantine.length;
    const batch: RowsBatch = {
      token: pending.token,
      events: linesToBuffer(pending.events),
      eventRows: pending.events.length,
      quarantine: linesToBuffer(pending.quarantine),
      quarantineRows: pending.quarantine.length,
    };
    const started = performance.now();
    try {
      const outcome = (await insert(batch, abort.signal)) ?? { inserted: batch.eventRows, quarantined: batch.quarantineRows };
      stats.insertedRows += outcome.inserted;
      if (outcome.inserted > 0) stats.insertedBatches++;
      stats.insertedBytes += batch.events.length;
      stats.quarantinedRows += outcome.quarantined;
      observer.onInsert?.(outcome.inserted, batch.events.length, performance.now() - started);
      if (outcome.quarantined > 0) observer.onQuarantine?.(outcome.quarantined);
      depth(-rows);
      pending.settle();
    } catch (error) {
      stats.failedRows += rows;
      depth(-rows);
      logger.error({ err: error, token: pending.token, failed: rows }, 'ClickHouse did not take a batch');
      pending.settle(unavailable(rows, error));
    }
  }

  function unavailable(rows: number, error: unknown): CollectorError {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return new CollectorError('unavailable', `ClickHouse did not take ${rows} rows (${reason}); retry later`, { cause: error, retryAfterSeconds });
  }

  function depth(delta: number): void {
    stats.bufferedRows += delta;
    observer.onBufferDepth?.(stats.bufferedRows);
  }

  function write(rows: RowBatch): Promise<void> {
    const count = rows.events.length + rows.quarantine.length;
    if (closing) {
      return Promise.reject(new CollectorError('unavailable', 'the collector is shutting down: retry in a moment', { retryAfterSeconds }));
    }
    if (count === 0) return Promise.resolve();
    if (stats.bufferedRows > 0 && stats.bufferedRows + count > maxBuffered) {
      return Promise.reject(new CollectorError('overloaded',
        `collector buffer is full (${stats.bufferedRows} rows waiting for ClickHouse): retry after ${retryAfterSeconds} s`,
        { retryAfterSeconds }));
    }
    const touched = new Set<PendingBatch>();
    for (const row of rows.events) {
      const line = eventLine(row);
      if (current.events.length >= maxRows || (current.bytes > 0 && current.bytes + line.length > maxBytes)) cut();
      current.events.push(line);
      current.bytes += line.length + 1;
      touched.add(current);
    }
    for (const row of rows.quarantine) current.quarantine.push(quarantineLine(row));
    if (rows.quarantine.length > 0) touched.add(current);
    depth(count);
    if (current.events.length >= maxRows || current.bytes >= maxBytes) cut();
    else if (timer === undefined) timer = setTimeout(cut, maxDelayMs);
    if (ack === 'memory') return Promise.resolve();
    return Promise.all([...touched].map((batch) => batch.done)).then(() => {});
  }

  async function flush(): Promise<void> {
    cut();
    await queue.onIdle();
  }

  async function close(deadlineMs: number = DEFAULTS.shutdownDeadlineMs): Promise<void> {
    closing ??= (async () => {
      cut();
      let deadline: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<boolean>((resolve) => { deadline = setTimeout(() => resolve(true), deadlineMs); });
      const drained = await Promise.race([queue.onIdle().then(() => false), expired]);
      clearTimeout(deadline);
      if (!drained) return;
      logger.error({ rows: stats.bufferedRows, deadlineMs }, 'close deadline passed before ClickHouse took every row');
      queue.clear();
      for (const batch of queued) {
        const rows = batch.events.length + batch.quarantine.length;
        stats.failedRows += rows;
        depth(-rows);
        batch.settle(new CollectorError('unavailable', 'the collector stopped before ClickHouse took these rows: retry', { retryAfterSeconds }));
      }
      queued.clear();
      abort.abort();
      await queue.onIdle();
    })();
    return closing;
  }

  async function ready(): Promise<boolean> {
    if (closing || stats.bufferedRows >= maxBuffered) return false;
    const ping = await options.client.ping().catch(() => ({ success: false }));
    return ping.success;
  }

  return { write, ready, close, flush, stats: () => ({ ...stats }) };
}

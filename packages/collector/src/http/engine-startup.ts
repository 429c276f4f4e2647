import {
  createClickHouseSink,
  createEngine,
  migrate,
  type ClickHouseSinkOptions,
  type Engine,
  type EngineOptions,
  type MigrateOptions,
  type MigrateResult,
  type WriterObserver,
} from '../clickhouse';
import { DEFAULTS } from '../defaults';
import type { Logger } from '../logger';
import type { Sink } from '../sink';
import { createWalSink, createWriteAheadLog, type WalSinkObserver, type WriteAheadLog } from '../wal';
import { insertQuarantiningPoison } from '../wal/insert-quarantining';

/** The write-ahead log of `ack: 'wal'`. */
export interface WalOptions {
  /** Its directory, one collector process per directory (`.sluice/wal` by default). */
  dir?: string;
  /** Bytes of events not yet in ClickHouse it holds; past this, requests get 503 with Retry-After. */
  maxBytes?: number;
  /** Keep committed segments this long as the raw source of truth for `sluice replay`; 0 (the default) deletes them. */
  keepRawMs?: number;
  segmentBytes?: number;
}

/** Writer options passed through to `createClickHouseSink` (batch rows/bytes/delay, concurrency, buffer, retries). */
export type WriterOptions = Omit<ClickHouseSinkOptions, 'client' | 'database' | 'ack' | 'logger' | 'observer'>;

export interface Started {
  sink: Sink;
  /** The write-ahead log, with `ack: 'wal'`. */
  wal?: WriteAheadLog;
  migrations: MigrateResult;
  /** The engine the sink writes to; absent when the collector was given a ready-made sink. */
  engine?: Engine;
  close(): Promise<void>;
}

export interface StartOptions {
  engine: EngineOptions;
  ack: 'memory' | 'clickhouse' | 'wal';
  wal?: WalOptions;
  migrations: MigrateOptions;
  writer: WriterOptions | undefined;
  logger: Logger;
  observer: WriterObserver & WalSinkObserver;
}

/**
 * Connects, migrates and starts the writer; on failure closes what it opened. With `ack: 'wal'` the
 * log is opened first (recovering a torn tail), so a log held by another process fails before
 * anything touches ClickHouse.
 */
export async function startEngine(options: StartOptions): Promise<Started> {
  if (options.ack === 'wal') return startWithLog(options);
  const engine = await createEngine(options.engine);
  try {
    const migrations = await migrate(engine.client, { ...options.migrations, database: engine.database });
    const sink = createClickHouseSink({
      ...options.writer,
      client: engine.client,
      database: engine.database,
      ack: options.ack,
      logger: options.logger,
      observer: options.observer,
    });
    return { sink, migrations, engine, close: () => engine.close() };
  } catch (error) {
    await engine.close().catch(() => {});
    throw error;
  }
}

async function startWithLog(options: StartOptions): Promise<Started> {
  const wal = await createWriteAheadLog({ ...options.wal, dir: options.wal?.dir ?? DEFAULTS.walPath, logger: options.logger });
  let engine: Engine | undefined;
  try {
    engine = await createEngine(options.engine);
    const migrations = await migrate(engine.client, { ...options.migrations, database: engine.database });
    const writer = options.writer ?? {};
    const sink = createWalSink({
      wal,
      insert: insertQuarantiningPoison(engine.client, { database: engine.database, logger: options.logger, onPoisoned: options.observer.onQuarantine }),
      logger: options.logger,
      observer: options.observer,
      batchMaxRows: writer.batchMaxRows,
      batchMaxBytes: writer.batchMaxBytes,
      batchMaxDelayMs: writer.batchMaxDelayMs,
      retry: writer.retry,
    });
    const opened = engine;
    return { sink, wal, migrations, engine, close: () => opened.close() };
  } catch (error) {
    await engine?.close().catch(() => {});
    await wal.close().catch(() => {});
    throw error;
  }
}

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
import { engineTarget } from '../clickhouse/engine-target';
import { createInsertChain } from '../clickhouse/insert-chain';
import { DEFAULTS } from '../defaults';
import type { Logger } from '../logger';
import { boundFreshness } from '../freshness-bound';
import type { Sink } from '../sink';
import { createWalSink, createWriteAheadLog, type WalSinkObserver, type WriteAheadLog } from '../wal';

/** The write-ahead log of `ack: 'wal'`. */
export interface WalOptions {
  /** Its directory, one collector process per directory (`.sluice/wal` by default). */
  dir?: string;
  /** Bytes of events not yet in ClickHouse it holds; past this, requests get 503 with Retry-After. */
  maxBytes?: number;
  /** Keep committed segments this long as the raw source of truth for `sluice replay`; 0 (the default) deletes them. */
  keepRawMs?: number;
  segmentBytes?: number;
  /**
   * Past this age (ms) of the oldest acknowledged event not yet in ClickHouse, requests get 503 with
   * Retry-After until the drain catches up; `DEFAULTS.walMaxUnsentAgeMs` by default, 0 turns it off.
   */
  maxUnsentAgeMs?: number;
}

/**
 * How rows are batched and sent, in every ack mode: batch rows/bytes/delay, inserts in flight,
 * the buffer bound and retries. With `ack: 'wal'` the buffer is the log: `maxBufferedRows` bounds the
 * rows in it not yet in ClickHouse (unset, only `wal.maxBytes` does), and `retry.attempts` is how
 * many failures in a row turn `/ready` to 503 (the log itself retries forever).
 */
export type WriterOptions = Omit<ClickHouseSinkOptions, 'client' | 'database' | 'ack' | 'logger' | 'observer' | 'tokenPrefix'>;

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
export async function startEngine(given: StartOptions): Promise<Started> {
  const options = { ...given, engine: withDatabase(given.engine, given.migrations.database) };
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
  const wal = await createWriteAheadLog({
    ...options.wal,
    dir: options.wal?.dir ?? DEFAULTS.walPath,
    target: engineTarget(options.engine),
    logger: options.logger,
  });
  let engine: Engine | undefined;
  try {
    engine = await createEngine(options.engine);
    const migrations = await migrate(engine.client, { ...options.migrations, database: engine.database });
    const walSink = createWalSink({
      ...options.writer,
      wal,
      insert: createInsertChain({ client: engine.client, database: engine.database, logger: options.logger }),
      logger: options.logger,
      observer: options.observer,
    });
    const sink = boundFreshness(walSink, { oldestUnsentAgeMs: () => wal.oldestUnsentAgeMs(), maxUnsentAgeMs: options.wal?.maxUnsentAgeMs ?? DEFAULTS.walMaxUnsentAgeMs });
    const opened = engine;
    return { sink, wal, migrations, engine, close: () => opened.close() };
  } catch (error) {
    await engine?.close().catch(() => {});
    await wal.close().catch(() => {});
    throw error;
  }
}

/**
 * `migrations.database` names the database the tables are created in, so the writer writes there
 * too, unless the engine options name one themselves.
 */
function withDatabase(engine: EngineOptions, database: string | undefined): EngineOptions {
  if (database === undefined || engine.database !== undefined) return engine;
  if ('clickhouse' in engine && 'url' in engine.clickhouse && engine.clickhouse.database !== undefined) return engine;
  return { ...engine, database };
}

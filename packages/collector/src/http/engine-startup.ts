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
import type { Logger } from '../logger';
import type { Sink } from '../sink';

/** Writer options passed through to `createClickHouseSink` (batch rows/bytes/delay, concurrency, buffer, retries). */
export type WriterOptions = Omit<ClickHouseSinkOptions, 'client' | 'database' | 'ack' | 'logger' | 'observer'>;

export interface Started {
  sink: Sink;
  migrations: MigrateResult;
  /** The engine the sink writes to; absent when the collector was given a ready-made sink. */
  engine?: Engine;
  close(): Promise<void>;
}

export interface StartOptions {
  engine: EngineOptions;
  ack: 'memory' | 'clickhouse';
  migrations: MigrateOptions;
  writer: WriterOptions | undefined;
  logger: Logger;
  observer: WriterObserver;
}

/** Connects, migrates and starts the writer; on failure closes what it opened. */
export async function startEngine(options: StartOptions): Promise<Started> {
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

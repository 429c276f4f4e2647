import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../logger';
import type { Sink } from '../sink';
import type { RetryOptions } from './retry-policy';

/** Hooks the HTTP side wires to prom-client. Each is called synchronously and must not throw. */
export interface WriterObserver {
  onInsert?(rows: number, bytes: number, ms: number): void;
  onRetry?(error: unknown): void;
  onBufferDepth?(rows: number): void;
  onQuarantine?(rows: number): void;
}

export interface ClickHouseSinkOptions {
  client: ClickHouseClient;
  /** `sluice` by default. */
  database?: string;
  /** `memory`: `write` resolves once buffered; `clickhouse`: once inserted. */
  ack?: 'memory' | 'clickhouse';
  batchMaxRows?: number;
  /** Approximate: counted in UTF-16 code units of the NDJSON lines. */
  batchMaxBytes?: number;
  batchMaxDelayMs?: number;
  insertConcurrency?: number;
  /** Rows held in memory (buffered or in flight) before `write` answers overloaded. */
  maxBufferedRows?: number;
  retry?: RetryOptions;
  logger?: Logger;
  observer?: WriterObserver;
  /** Prefix of the generated dedup tokens (`<prefix>-<n>`); random per sink when omitted. */
  tokenPrefix?: string;
  /** Injected for tests. */
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface WriterStats {
  /** Rows accepted by `write` and not yet inserted or given up on (buffered plus in flight). */
  bufferedRows: number;
  insertedRows: number;
  insertedBatches: number;
  insertedBytes: number;
  retries: number;
  quarantinedRows: number;
  /** Rows ClickHouse never took (fatal error, retries exhausted or close deadline passed). */
  failedRows: number;
}

export interface ClickHouseSink extends Sink {
  stats(): WriterStats;
  /** Sends what is buffered now and waits for every insert in flight. */
  flush(): Promise<void>;
}

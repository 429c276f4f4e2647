import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../logger';
import type { EventRow, QuarantineRow } from '../rows';
import type { Sink } from '../sink';

/** Hooks the HTTP side wires to prom-client. Each is called synchronously and must not throw. */
export interface WriterObserver {
  onInsert?(rows: number, bytes: number, ms: number): void;
  onRetry?(error: unknown): void;
  onBufferDepth?(rows: number): void;
  onQuarantine?(rows: number): void;
}

export interface RetryOptions {
  /** Tries per insert, the first included. */
  attempts?: number;
  baseMs?: number;
  capMs?: number;
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

/** A batch with a caller-chosen token, e.g. derived from a write-ahead-log position. */
export interface TokenBatch {
  /** Stable across re-sends: `[A-Za-z0-9_.:-]`, up to 200 characters. */
  token: string;
  events: readonly EventRow[];
  quarantine?: readonly QuarantineRow[];
}

export type InsertOutcome =
  | { ok: true; inserted: number; quarantined: number }
  | { ok: false; inserted: number; quarantined: number; failed: number; error: unknown };

export interface ClickHouseSink extends Sink {
  stats(): WriterStats;
  /** Sends what is buffered now and waits for every insert in flight. */
  flush(): Promise<void>;
  /**
   * Inserts one batch as given, bypassing the buffer, with the same retries, dedup token and
   * poison splitting. For a write-ahead log replaying deterministic batches.
   */
  insertBatch(batch: TokenBatch): Promise<InsertOutcome>;
}

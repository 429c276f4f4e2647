import type { RowBatch } from './rows';

/**
 * Where the HTTP core puts accepted rows: one implementation per ack mode, chosen at startup.
 * `write` settles according to the ack mode:
 * - `wal` (the default): resolves once the rows are fsynced to the write-ahead log;
 * - `memory`: resolves once the rows are buffered;
 * - `clickhouse`: resolves once ClickHouse has acknowledged the insert.
 * When buffers are full it rejects with `CollectorError('overloaded', …, { retryAfterSeconds })`
 * without buffering anything, so the client can retry the whole request.
 */
export interface Sink {
  write(rows: RowBatch): Promise<void>;
  /** True while ClickHouse answers and the buffers have room. */
  ready(): Promise<boolean>;
  /** Stop accepting, drain what is buffered into ClickHouse within `deadlineMs`, release resources. */
  close(deadlineMs?: number): Promise<void>;
}

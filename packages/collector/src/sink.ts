import type { RowBatch } from './rows';

/**
 * Where the HTTP core puts accepted rows. The ClickHouse writer implements it; the write-ahead log
 * will wrap it. `write` settles according to the ack mode:
 * - `memory`: resolves once the rows are buffered;
 * - `clickhouse`: resolves once ClickHouse has acknowledged the insert;
 * - `wal` (issue 6): resolves once the rows are fsynced to the log.
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

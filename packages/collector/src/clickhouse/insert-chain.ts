import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../logger';
import type { InsertBatch } from './insert-batch';
import { createInsertRows } from './insert-rows';
import { withPoisonSplit } from './poison-split';
import type { RetryHooks, RetryPolicy } from './retry-policy';
import { withRetry } from './retry-policy';

export interface InsertChainOptions {
  client: ClickHouseClient;
  /** `sluice` by default. */
  database?: string;
  logger?: Logger;
  /** Rows ClickHouse refused as bad data (they go to `events_quarantine`). */
  onPoisoned?: (rows: number) => void;
  /** Wraps the chain in this policy; without it, each call is one try (poison splitting included). */
  retry?: RetryPolicy;
  /** With `retry`: which failures to retry and what to do on each. */
  retryHooks?: Omit<RetryHooks, 'signal'>;
  /** Injected for tests. */
  now?: () => number;
}

/**
 * The collector's write path, for every front-end (the writer of `ack: 'memory' | 'clickhouse'`,
 * the write-ahead log's drain, `sluice replay`, a Kafka consumer):
 *
 *   retry policy (retry-policy.ts) → poison split (poison-split.ts) → one insert (insert-rows.ts)
 *
 * Give it batches with deterministic tokens (`rowsToBatch`, or the log's `wal-<logId>-<first>-<last>`)
 * and it stores each exactly once, quarantining rows ClickHouse refuses.
 */
export function createInsertChain(options: InsertChainOptions): InsertBatch {
  const split = withPoisonSplit(createInsertRows(options.client, { database: options.database }), {
    logger: options.logger,
    onPoisoned: options.onPoisoned,
    now: options.now,
  });
  return options.retry ? withRetry(split, options.retry, options.retryHooks) : split;
}

import type { ClickHouseClient } from '@clickhouse/client';
import { createBatchInserter } from '../clickhouse/batch-inserter';
import { checkToken, identifier } from '../clickhouse/identifiers';
import { classifyFailure } from '../clickhouse/retry-policy';
import { abortableSleep } from '../clickhouse/sleep';
import type { WriterStats } from '../clickhouse/writer-types';
import { DEFAULTS } from '../defaults';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { insertViaClickHouse } from './insert-clickhouse';
import type { InsertBatch, WalBatch } from './wal-batch';

export interface QuarantiningInsertOptions {
  /** `sluice` by default. */
  database?: string;
  logger?: Logger;
  /** Rows ClickHouse refused as bad data, moved to `events_quarantine` by the split. */
  onPoisoned?: (rows: number) => void;
}

/**
 * The insert the collector's WAL sink uses. The batch's NDJSON bytes go to ClickHouse as they are
 * (`insertViaClickHouse`, the fast path). Only when ClickHouse rejects the data itself (a row it
 * cannot parse) does the batch go through the writer's batch inserter, which splits it in halves
 * (tokens `<token>.a`, `<token>.b`, …, all derived from the log range) until the bad row is alone
 * and quarantines that row with ClickHouse's reason: one bad row never blocks the log.
 *
 * Every other failure rejects, and the WAL sink retries the whole batch with the same token: halves
 * already stored are deduplicated by their own tokens.
 */
export function insertQuarantiningPoison(client: ClickHouseClient, options: QuarantiningInsertOptions = {}): InsertBatch {
  const database = options.database ?? DEFAULTS.database;
  const db = identifier(database, 'database');
  const logger = options.logger ?? silentLogger;
  const fast = insertViaClickHouse(client, { database });

  async function split(batch: WalBatch, signal: AbortSignal): Promise<void> {
    const stats: WriterStats = { bufferedRows: 0, insertedRows: 0, insertedBatches: 0, insertedBytes: 0, retries: 0, quarantinedRows: 0, failedRows: 0 };
    const insert = createBatchInserter({
      client,
      db,
      // One try per piece: the WAL sink owns retries (forever, with backoff) for everything but bad data.
      retry: { attempts: 1, baseMs: DEFAULTS.insertRetry.baseMs, capMs: DEFAULTS.insertRetry.capMs },
      logger,
      observer: {},
      stats,
      random: Math.random,
      sleep: abortableSleep,
      signal,
    });
    const outcome = await insert(checkToken(batch.token), lines(batch.events), lines(batch.quarantine));
    if (!outcome.ok) throw outcome.error;
    if (outcome.quarantined > 0) {
      logger.warn({ token: batch.token, quarantined: outcome.quarantined }, `ClickHouse refused ${outcome.quarantined} row(s) of a batch from the write-ahead log; they are in events_quarantine with its reason`);
      options.onPoisoned?.(outcome.quarantined);
    }
  }

  return async (batch, signal) => {
    try {
      await fast(batch, signal);
    } catch (error) {
      if (signal.aborted || classifyFailure(error) !== 'poison') throw error;
      await split(batch, signal);
    }
  };
}

function lines(buffer: Buffer): string[] {
  if (buffer.length === 0) return [];
  const text = buffer.toString('utf8');
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

import { DEFAULTS } from '../defaults';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import { classifyFailure } from './failure-kind';
import type { InsertBatch } from './insert-batch';
import { bufferToLines, linesToBuffer } from './insert-batch';
import type { InsertRows, InsertTable } from './insert-rows';
import { poisonedRow, quarantineLine } from './ndjson';
import { TABLES } from './tables';

export interface PoisonSplitOptions {
  logger?: Logger;
  /** Rows ClickHouse refused as bad data, moved to `events_quarantine` with its reason. */
  onPoisoned?: (rows: number) => void;
  /** The clock for a refused row's `received_at` when its line has none; injected for tests. */
  now?: () => number;
}

/**
 * Decorates the one-try insert (insert-rows.ts) into a batch insert where one bad row never blocks
 * the others. Each table gets the batch's lines with the batch's token. When ClickHouse rejects the
 * data itself (a row it cannot parse), the lines are split in halves, each half with a token derived
 * from the batch's (`<token>.a`, `<token>.b`, …), until the bad row is alone. That row goes to
 * `events_quarantine` with ClickHouse's error as the reason, the rest lands. The split is a pure
 * function of the lines, so a batch re-sent after a failure or a crash is split the same way and
 * every piece is deduplicated by its own token.
 *
 * Every other failure rejects, for the retry policy around this to decide.
 */
export function withPoisonSplit(send: InsertRows, options: PoisonSplitOptions = {}): InsertBatch {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;

  /** Sends `lines`, splitting on poison; calls `refused` with each line ClickHouse will not take. */
  async function sendSplitting(table: InsertTable, lines: string[] | Buffer, token: string, signal: AbortSignal, refused: (line: string, error: unknown) => void): Promise<number> {
    const body = Buffer.isBuffer(lines) ? lines : linesToBuffer(lines);
    try {
      await send(table, body, token, signal);
      return Buffer.isBuffer(lines) ? -1 : lines.length;
    } catch (error) {
      if (signal.aborted || classifyFailure(error) !== 'poison') throw error;
      const all = Buffer.isBuffer(lines) ? bufferToLines(lines) : lines;
      if (all.length === 1) {
        refused(all[0] as string, error);
        return 0;
      }
      const middle = all.length >> 1;
      const left = await sendSplitting(table, all.slice(0, middle), `${token}.a`, signal, refused);
      const right = await sendSplitting(table, all.slice(middle), `${token}.b`, signal, refused);
      return left + right;
    }
  }

  return async (batch, signal) => {
    const poisoned: string[] = [];
    let inserted = 0;
    if (batch.eventRows > 0) {
      const sent = await sendSplitting(TABLES.events, batch.events, batch.token, signal, (line, error) => {
        poisoned.push(quarantineLine(poisonedRow(line, reasonOf(error), now(), DEFAULTS.maxQuarantineRawBytes)));
      });
      inserted = sent < 0 ? batch.eventRows : sent;
    }
    let quarantined = batch.quarantineRows;
    if (poisoned.length > 0) {
      logger.warn({ token: batch.token, refused: poisoned.length }, `ClickHouse refused ${poisoned.length} row(s) of batch ${batch.token}; they are in events_quarantine with its reason`);
      options.onPoisoned?.(poisoned.length);
      quarantined += poisoned.length;
    }
    if (quarantined > 0) {
      // With refused rows the quarantine block differs from the plain one, so it gets its own token.
      const lines = poisoned.length === 0 ? batch.quarantine : Buffer.concat([batch.quarantine, linesToBuffer(poisoned)]);
      const token = poisoned.length === 0 ? batch.token : `${batch.token}.q`;
      await sendSplitting(TABLES.quarantine, lines, token, signal, (line, error) => {
        quarantined--;
        logger.error({ err: error, token, line: line.slice(0, 200) }, 'ClickHouse refused a quarantine row; it is dropped (this is a bug in Sluice or a changed table, please report it)');
      });
    }
    return { inserted, quarantined };
  };
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.replace(/\s+/g, ' ').trim();
  return `clickhouse rejected the row: ${line}`.slice(0, DEFAULTS.maxQuarantineReasonChars);
}

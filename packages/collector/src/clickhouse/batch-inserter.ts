import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { DEFAULTS } from '../defaults';
import type { Logger } from '../logger';
import type { QuarantineRow } from '../rows';
import { quarantineLine, poisonedRow } from './ndjson';
import type { FailureKind } from './retry-policy';
import { backoffMs, classifyFailure } from './retry-policy';
import type { InsertOutcome, WriterObserver, WriterStats } from './writer-types';

export interface InserterDeps {
  client: ClickHouseClient;
  /** Backtick-quoted database. */
  db: string;
  retry: { attempts: number; baseMs: number; capMs: number };
  logger: Logger;
  observer: WriterObserver;
  stats: WriterStats;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Aborted when `close` runs out of time: retries stop and inserts in flight are cancelled. */
  signal: AbortSignal;
}

type Attempt = { ok: true } | { ok: false; kind: FailureKind; error: unknown };

/**
 * Sends one batch: event lines with their dedup token, retried with backoff and full jitter on
 * transient failures. When ClickHouse rejects the data itself, the batch is split in halves (each
 * half with a token derived from its range) until the bad row is alone; it goes to quarantine with
 * ClickHouse's error as the reason, and the rest lands.
 */
/**
 * A batch sent again with its token is dropped by `events`, and, with
 * `deduplicate_blocks_in_dependent_materialized_views`, by the rollups too: each MV's block gets a
 * token derived from the batch's, and the rollup tables keep a dedup window like `events`. Without
 * it, chDB 26.7 feeds the MVs again even when the `events` insert is deduplicated (measured), and
 * the rollups' counts would double.
 */
export const MV_DEDUP_SETTING = 'deduplicate_blocks_in_dependent_materialized_views = 1';

export function createBatchInserter(deps: InserterDeps) {
  async function send(table: string, lines: readonly string[], token: string): Promise<Attempt> {
    const body = lines.join('\n');
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        const result = await deps.client.exec({
          query: `INSERT INTO ${deps.db}.${table} SETTINGS ${MV_DEDUP_SETTING}, insert_deduplication_token = '${token}' FORMAT JSONEachRow`,
          values: Readable.from([body]),
          abort_signal: deps.signal,
        });
        result.stream.destroy();
        if (table === 'events') {
          deps.stats.insertedBytes += body.length;
          deps.observer.onInsert?.(lines.length, body.length, performance.now() - started);
        }
        return { ok: true };
      } catch (error) {
        const kind = deps.signal.aborted ? 'fatal' : classifyFailure(error);
        if (kind !== 'retry' || attempt + 1 >= deps.retry.attempts) return { ok: false, kind, error };
        deps.stats.retries++;
        deps.observer.onRetry?.(error);
        deps.logger.warn({ err: error, table, rows: lines.length, attempt: attempt + 1 }, 'insert failed, retrying');
        await deps.sleep(backoffMs(attempt, deps.retry, deps.random), deps.signal).catch(() => {});
      }
    }
  }

  async function sendEvents(lines: readonly string[], token: string, poisoned: QuarantineRow[]): Promise<InsertOutcome> {
    const first = await send('events', lines, token);
    if (first.ok) return { ok: true, inserted: lines.length, quarantined: 0 };
    if (first.kind !== 'poison') return { ok: false, inserted: 0, quarantined: 0, failed: lines.length, error: first.error };
    if (lines.length === 1) {
      poisoned.push(poisonedRow(lines[0] as string, reasonOf(first.error), Date.now(), DEFAULTS.maxQuarantineRawBytes));
      return { ok: true, inserted: 0, quarantined: 1 };
    }
    const middle = lines.length >> 1;
    const left = await sendEvents(lines.slice(0, middle), `${token}.a`, poisoned);
    const right = await sendEvents(lines.slice(middle), `${token}.b`, poisoned);
    return merge(left, right);
  }

  return async function insert(token: string, events: readonly string[], quarantine: readonly string[]): Promise<InsertOutcome> {
    const poisoned: QuarantineRow[] = [];
    const outcome = events.length > 0 ? await sendEvents(events, token, poisoned) : ({ ok: true, inserted: 0, quarantined: 0 } as const);
    const quarantineLines = poisoned.length === 0 ? quarantine : [...quarantine, ...poisoned.map(quarantineLine)];
    let result: InsertOutcome = outcome;
    if (quarantineLines.length > 0) {
      const sent = await send('events_quarantine', quarantineLines, `${token}.q`);
      result = sent.ok
        ? outcome
        : merge(outcome, { ok: false, inserted: 0, quarantined: 0, failed: quarantineLines.length, error: sent.error });
      if (sent.ok) {
        deps.stats.quarantinedRows += quarantineLines.length;
        deps.observer.onQuarantine?.(quarantineLines.length);
      }
    }
    deps.stats.insertedRows += result.inserted;
    if (result.inserted > 0) deps.stats.insertedBatches++;
    if (!result.ok) deps.stats.failedRows += result.failed;
    return result;
  };
}

function merge(a: InsertOutcome, b: InsertOutcome): InsertOutcome {
  const inserted = a.inserted + b.inserted;
  const quarantined = a.quarantined + b.quarantined;
  if (a.ok && b.ok) return { ok: true, inserted, quarantined };
  const failed = (a.ok ? 0 : a.failed) + (b.ok ? 0 : b.failed);
  const error = !a.ok ? a.error : !b.ok ? b.error : undefined;
  return { ok: false, inserted, quarantined, failed, error };
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.replace(/\s+/g, ' ').trim();
  return `clickhouse rejected the row: ${line}`.slice(0, DEFAULTS.maxQuarantineReasonChars);
}

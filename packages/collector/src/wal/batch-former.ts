import { CollectorError } from '../errors';
import type { Logger } from '../logger';
import type { PendingRange } from './cursor-file';
import { pendingBatches } from './cursor-file';
import { recordRows } from './wal-batch';
import type { WalRecord, WriteAheadLog } from './wal-types';

export interface BatchFormerOptions {
  wal: WriteAheadLog;
  logger: Logger;
  batchMaxRows: number;
  batchMaxBytes: number;
  batchMaxDelayMs: number;
  /** Most batches formed at once. */
  concurrency: number;
  now: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Aborted when the sink must stop at once: nothing more is formed. */
  stop: AbortSignal;
  /** Aborted when the sink closes: batches stop waiting for more records. */
  hurry: AbortSignal;
  /** Called when everything in the log is committed. */
  onDrained: () => void;
}

export interface NextBatches {
  /** The records of each batch, in log order. */
  groups: WalRecord[][];
  /** True when these are the batches recorded as pending before a restart (or a failed round). */
  resumed: boolean;
}

/**
 * Decides which records of the log go into the next inserts: the batches recorded as pending, if
 * any, else new ones cut at `batchMaxRows`, `batchMaxBytes` or `batchMaxDelayMs`. With a backlog,
 * up to `concurrency` batches are formed at once, the later ones only when already full, and their
 * ranges are recorded in the cursor together before anything is sent.
 */
export function createBatchFormer(options: BatchFormerOptions) {
  const { wal, logger, batchMaxRows, batchMaxBytes, batchMaxDelayMs, now, stop, hurry } = options;
  const lastOf = (group: WalRecord[]): number => (group[group.length - 1] as WalRecord).position;

  /** Reads the records of a recorded range (after a restart, or after a failed attempt). */
  async function readRange(range: { first: number; last: number }): Promise<WalRecord[]> {
    const out: WalRecord[] = [];
    let after = range.first - 1;
    while (after < range.last) {
      const records = await wal.readFrom(after, range.last - after, batchMaxBytes);
      if (records.length === 0) throw new CollectorError('internal', `write-ahead log records ${after + 1}…${range.last} are missing; this is a bug in Sluice, please report it`);
      out.push(...records);
      after = lastOf(records);
    }
    return out.slice(0, range.last - range.first + 1);
  }

  /**
   * Collects records after `after` until a batch is full. With `wait`, also until the batch is due
   * or the sink is closing; without, it returns a batch only if the log already holds a full one.
   */
  async function formBatch(after: number, wait: boolean): Promise<WalRecord[]> {
    const records: WalRecord[] = [];
    let rows = 0;
    let bytes = 0;
    let firstAt: number | undefined;
    for (;;) {
      const fresh = await wal.readFrom(after, batchMaxRows, batchMaxBytes);
      for (const record of fresh) {
        const size = recordRows(record, logger);
        if (records.length > 0 && (rows + size.rows > batchMaxRows || bytes + size.bytes > batchMaxBytes)) return records;
        records.push(record);
        rows += size.rows;
        bytes += size.bytes;
        firstAt ??= record.appendedAt;
        after = record.position;
        if (rows >= batchMaxRows || bytes >= batchMaxBytes) return records;
      }
      if (stop.aborted) return [];
      if (!wait) return hurry.aborted ? records : [];
      if (records.length > 0 && (hurry.aborted || now() - (firstAt as number) >= batchMaxDelayMs)) return records;
      const waitMs = firstAt === undefined ? undefined : Math.max(1, (firstAt as number) + batchMaxDelayMs - now());
      await waitForMore(after, waitMs);
    }
  }

  /** Until a record after `after` is durable, `ms` pass, or the sink hurries or stops. */
  async function waitForMore(after: number, ms: number | undefined): Promise<void> {
    const done = new AbortController();
    const abort = (): void => done.abort();
    stop.addEventListener('abort', abort, { once: true });
    hurry.addEventListener('abort', abort, { once: true });
    if (stop.aborted || hurry.aborted) done.abort();
    if (ms !== undefined) options.sleep(ms, done.signal).then(abort, () => {});
    try {
      await wal.waitForRecords(after, done.signal);
    } finally {
      done.abort();
      stop.removeEventListener('abort', abort);
      hurry.removeEventListener('abort', abort);
    }
  }

  /** The next batches to insert, or undefined when there was nothing to send (yet). */
  async function next(): Promise<NextBatches | undefined> {
    const cursor = wal.cursor();
    if (cursor.pending !== null) {
      const groups: WalRecord[][] = [];
      for (const range of pendingBatches(cursor.pending)) groups.push(await readRange(range));
      return { groups, resumed: true };
    }
    if (wal.lastPosition() <= cursor.committed) {
      options.onDrained();
      if (!hurry.aborted) await waitForMore(cursor.committed, undefined);
      return undefined;
    }
    const first = await formBatch(cursor.committed, true);
    if (first.length === 0) return undefined;
    const groups = [first];
    while (groups.length < options.concurrency && wal.lastPosition() > lastOf(groups[groups.length - 1] as WalRecord[])) {
      const more = await formBatch(lastOf(groups[groups.length - 1] as WalRecord[]), false);
      if (more.length === 0) break;
      groups.push(more);
    }
    const range: PendingRange = { first: (first[0] as WalRecord).position, last: lastOf(groups[groups.length - 1] as WalRecord[]) };
    if (groups.length > 1) range.ends = groups.map(lastOf);
    await wal.markPending(range);
    return { groups, resumed: false };
  }

  return { next };
}

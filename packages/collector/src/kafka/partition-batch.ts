import type { OffsetRange } from './pending-range';
import { rowsIn, type TargetTable } from './messages';
import { currentEventLines } from '../clickhouse/ndjson';

/**
 * What one partition has read since its last committed offset: the lines of the next batch. Pure
 * bookkeeping, no I/O. Records are taken strictly from `next` on (a fetch may return records
 * before it, which are skipped); when a pending range was found at assignment, nothing past its
 * `last` is taken, so the batch is re-formed exactly.
 */
export interface PartitionBatch {
  readonly partition: number;
  /** The next offset to read. */
  readonly next: bigint;
  /** The range recorded as pending by a previous owner, to be re-sent as is. */
  readonly pending: OffsetRange | undefined;
  readonly rows: number;
  readonly bytes: number;
  /** When the first record of this batch was taken (ms), for the max-delay flush. */
  readonly startedAt: number | undefined;
  /** Takes one record; false when it is before `next` or past the pending range. */
  take(offset: bigint, table: TargetTable, value: Buffer, now: number): boolean;
  /** True when the batch should be inserted now. */
  due(limits: { maxRows: number; maxBytes: number; maxDelayMs: number }, now: number, caughtUp: boolean): boolean;
  /** The range to insert and its lines. */
  range(): OffsetRange | undefined;
  lines(): { events: Buffer; eventRows: number; quarantine: Buffer; quarantineRows: number };
  /** Once its range is committed as pending: takes nothing past it, so a retry sends the same range. */
  freeze(range: OffsetRange): void;
  /** After the batch is committed: empty, reading from `last + 1`. */
  reset(next: bigint): void;
}

const NEWLINE = Buffer.from('\n');

export function createPartitionBatch(partition: number, next: bigint, pending: OffsetRange | undefined): PartitionBatch {
  let position = next;
  let pendingRange = pending;
  let first: bigint | undefined;
  let last: bigint | undefined;
  let events: Buffer[] = [];
  let quarantine: Buffer[] = [];
  let bytes = 0;
  let eventRows = 0;
  let quarantineRows = 0;
  let startedAt: number | undefined;

  return {
    partition,
    get next() {
      return position;
    },
    get pending() {
      return pendingRange;
    },
    get rows() {
      return eventRows + quarantineRows;
    },
    get bytes() {
      return bytes;
    },
    get startedAt() {
      return startedAt;
    },
    take(offset, table, value, now) {
      if (offset < position) return false;
      if (pendingRange && offset > pendingRange.last) return false;
      first ??= offset;
      last = offset;
      position = offset + 1n;
      startedAt ??= now;
      const rows = rowsIn(value);
      /** What the insert will send, which the byte limit bounds. */
      let lines = value;
      if (table === 'events') {
        // A record from an earlier collector holds JSONEachRow objects: rewritten to the current lines.
        lines = currentEventLines(value);
        events.push(lines, NEWLINE);
        eventRows += rows;
      } else {
        quarantine.push(lines, NEWLINE);
        quarantineRows += rows;
      }
      bytes += lines.length + 1;
      return true;
    },
    due(limits, now, caughtUp) {
      if (pendingRange) return position > pendingRange.last || (caughtUp && last !== undefined);
      if (first === undefined) return false;
      return this.rows >= limits.maxRows || bytes >= limits.maxBytes || now - (startedAt as number) >= limits.maxDelayMs;
    },
    range() {
      if (pendingRange) return last === undefined ? undefined : { first: pendingRange.first, last: pendingRange.last };
      return first === undefined || last === undefined ? undefined : { first, last };
    },
    lines() {
      return {
        events: Buffer.concat(events),
        eventRows,
        quarantine: Buffer.concat(quarantine),
        quarantineRows,
      };
    },
    freeze(range) {
      pendingRange = range;
    },
    reset(nextOffset) {
      position = nextOffset;
      pendingRange = undefined;
      first = undefined;
      last = undefined;
      events = [];
      quarantine = [];
      bytes = 0;
      eventRows = 0;
      quarantineRows = 0;
      startedAt = undefined;
    },
  };
}

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger';
import type { Cursor } from './cursor-file';
import { CURSOR_FILE, fsyncDir, readCursor, writeCursor } from './cursor-file';
import { scanRecords } from './record-codec';
import type { RecordIndex } from './record-index';
import { createRecordIndex } from './record-index';
import { SEGMENT_HEADER_BYTES, decodeSegmentHeader, parseSegmentFileName } from './segment-format';

export interface SegmentInfo {
  startSeq: number;
  /** startSeq - 1 while empty. */
  lastSeq: number;
  path: string;
  /** Bytes on disk, header included. */
  size: number;
  /** Logical offset (record bytes only, see record-index.ts) of the segment's first record. */
  logicalBase: number;
  /** When the segment was last written, epoch ms: what retention compares with keepRawMs. */
  modifiedAt: number;
}

export interface RecoveredLog {
  logId: string;
  cursor: Cursor;
  segments: SegmentInfo[];
  /** Uncommitted records: logical end offsets and append times. */
  index: RecordIndex;
  /** Logical offset just after the last committed record. */
  committedEnd: number;
  /** What went wrong and was repaired, one line each (also logged). */
  repairs: string[];
}

/**
 * Opens the log directory: finds the segments, verifies every record that is not yet committed
 * (committed segments kept for retention are only checked by header), and cuts the log at the first
 * torn or corrupt record. Cut bytes are moved to `<segment>.corrupt-<time>` for inspection, and any
 * later segment (it can no longer follow without a gap) is renamed `<segment>.corrupt-<time>`. So a
 * crash mid-append never makes the collector replay garbage or fail to start; a flipped bit loses
 * the record it hit and what follows it in the log, and says so loudly.
 */
export async function recoverLog(dir: string, logger: Logger, now = Date.now()): Promise<RecoveredLog> {
  await mkdir(dir, { recursive: true });
  const repairs: string[] = [];
  const report = (level: 'warn' | 'error', fields: Record<string, unknown>, message: string): void => {
    repairs.push(message);
    logger[level]({ dir, ...fields }, message);
  };

  const names = await readdir(dir);
  if (names.includes(`${CURSOR_FILE}.tmp`)) await unlink(join(dir, `${CURSOR_FILE}.tmp`)).catch(() => {});
  const starts = names
    .map((name) => ({ name, start: parseSegmentFileName(name) }))
    .filter((entry): entry is { name: string; start: number } => entry.start !== undefined)
    .sort((a, b) => a.start - b.start);

  const cursorRead = await readCursor(dir);
  let cursor: Cursor | undefined;
  if (cursorRead.ok) cursor = cursorRead.cursor;
  else if (cursorRead.reason === 'invalid') {
    report('error', { detail: cursorRead.detail }, `the write-ahead log cursor ${join(dir, CURSOR_FILE)} is unreadable; every record still in the log will be sent again (dedup tokens cannot protect batches whose boundaries are lost, so a few rows may be stored twice)`);
  }

  const segments: SegmentInfo[] = [];
  let logId = cursor?.logId;
  let committed = cursor?.committed ?? (starts[0] ? starts[0].start - 1 : 0);
  let pending = cursor?.pending ?? null;
  if (starts[0] && committed < starts[0].start - 1) {
    report('error', { committed, firstSegment: starts[0].start }, `the write-ahead log cursor points before the oldest segment (${committed} < ${starts[0].start - 1}); records in between are gone, continuing from the oldest segment`);
    committed = starts[0].start - 1;
    pending = null;
  }

  let index = createRecordIndex(committed + 1);
  let committedEnd = 0;
  let logical = 0;
  let expectedStart: number | undefined;

  const quarantineFrom = async (from: number, why: string): Promise<void> => {
    for (const entry of starts.slice(from)) {
      const target = join(dir, `${entry.name}.corrupt-${now}`);
      await rename(join(dir, entry.name), target);
      report('error', { segment: entry.name, target }, `write-ahead log segment ${entry.name} set aside as ${target}: ${why}`);
    }
  };

  for (let i = 0; i < starts.length; i++) {
    const entry = starts[i] as { name: string; start: number };
    const next = starts[i + 1];
    const path = join(dir, entry.name);
    const isLast = next === undefined;
    if (expectedStart !== undefined && entry.start !== expectedStart) {
      await quarantineFrom(i, `expected a segment starting at record ${expectedStart}, found ${entry.start} (a gap in the log)`);
      break;
    }
    const needsScan = isLast || next.start - 1 > committed;
    const info = await stat(path);
    const bytes = needsScan ? await readFile(path) : await readHead(path);
    const header = decodeSegmentHeader(bytes);
    if (!header.ok || header.header.startSeq !== entry.start) {
      const why = header.ok ? `its header says it starts at ${header.header.startSeq}` : header.reason;
      await quarantineFrom(i, `${why}${isLast && bytes.length < SEGMENT_HEADER_BYTES ? ' (a crash while the segment was being created)' : ''}`);
      break;
    }
    if (logId === undefined) logId = header.header.logId;
    else if (header.header.logId !== logId) {
      report('warn', { segment: entry.name }, `write-ahead log segment ${entry.name} belongs to log ${header.header.logId}, not ${logId}; its records will carry this log's dedup tokens`);
    }
    const segment: SegmentInfo = { startSeq: entry.start, lastSeq: entry.start - 1, path, size: info.size, logicalBase: logical, modifiedAt: info.mtimeMs };
    if (!needsScan) {
      segment.lastSeq = next.start - 1;
      if (segment.lastSeq === committed) committedEnd = logical + info.size - SEGMENT_HEADER_BYTES;
    } else {
      const scan = scanRecords(bytes, SEGMENT_HEADER_BYTES, entry.start);
      for (const record of scan.records) {
        const end = logical + record.offset + record.size - SEGMENT_HEADER_BYTES;
        if (record.seq === committed) committedEnd = end;
        if (record.seq > committed) index.push(end, record.appendedAt);
      }
      segment.lastSeq = entry.start + scan.records.length - 1;
      if (entry.start - 1 === committed) committedEnd = logical;
      if (scan.problem !== undefined) {
        const cut = bytes.subarray(scan.validEnd);
        const target = `${path}.corrupt-${now}`;
        await writeFile(target, cut);
        const handle = await open(path, 'r+');
        try {
          await handle.truncate(scan.validEnd);
          await handle.sync();
        } finally {
          await handle.close();
        }
        segment.size = scan.validEnd;
        const where = `after record ${segment.lastSeq} at byte ${scan.validEnd} of ${entry.name}`;
        const torn = scan.problem === 'truncated' && isLast;
        report(torn ? 'warn' : 'error', { segment: entry.name, problem: scan.problem, cutBytes: cut.length, savedAs: target }, `write-ahead log ${torn ? 'tail was torn (an append interrupted by a crash; it was never acknowledged)' : `record failed its checksum (${scan.problem})`} ${where}: cut ${cut.length} bytes, saved as ${target}`);
        if (!isLast) {
          await quarantineFrom(i + 1, `it follows the corrupt record in ${entry.name}`);
          segments.push(segment);
          break;
        }
      }
    }
    segments.push(segment);
    logical += segment.size - SEGMENT_HEADER_BYTES;
    expectedStart = segment.lastSeq + 1;
  }

  const lastSeq = segments.length > 0 ? (segments[segments.length - 1] as SegmentInfo).lastSeq : committed;
  if (committed > lastSeq) {
    if (segments.length > 0) {
      report('error', { committed, lastSeq }, `the write-ahead log cursor is ahead of the log (${committed} > ${lastSeq}); records were lost from the end of the log`);
      committed = lastSeq;
      committedEnd = logical;
      index = createRecordIndex(committed + 1);
    } else {
      committedEnd = 0;
    }
  }
  if (pending !== null && (pending.first !== committed + 1 || pending.last > lastSeq || pending.last < pending.first)) {
    if (pending.last > lastSeq && pending.first <= lastSeq && pending.first === committed + 1) {
      report('error', { pending, lastSeq }, `the batch being inserted before the restart (${pending.first}…${pending.last}) lost its end to corruption; sending ${pending.first}…${lastSeq} instead`);
      const ends = (pending.ends ?? []).filter((end) => end < lastSeq);
      pending = ends.length > 0 ? { first: pending.first, last: lastSeq, ends: [...ends, lastSeq] } : { first: pending.first, last: lastSeq };
    } else pending = null;
  }
  if (segments.length > 0 && segments.length < starts.length) await fsyncDir(dir);

  const finalCursor: Cursor = { logId: logId ?? randomBytes(16).toString('hex'), committed, pending };
  if (!cursorRead.ok || cursorRead.cursor.committed !== committed || JSON.stringify(cursorRead.cursor.pending) !== JSON.stringify(pending) || cursorRead.cursor.logId !== finalCursor.logId) {
    await writeCursor(dir, finalCursor);
  }
  return { logId: finalCursor.logId, cursor: finalCursor, segments, index, committedEnd, repairs };
}

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SEGMENT_HEADER_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SEGMENT_HEADER_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

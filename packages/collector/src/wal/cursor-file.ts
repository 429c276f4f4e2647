import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `<dir>/cursor.json`: where the writer is. Replaced atomically (write a temp file, fsync it,
 * rename it over the old one, fsync the directory), so a crash leaves either the old or the new
 * cursor, never a mix.
 *
 * - `committed`: every record with a sequence number ≤ this is in ClickHouse.
 * - `pending`: the range of the batches being inserted, recorded before the inserts, so after a
 *   crash the same ranges are re-sent with the same dedup tokens. `ends` lists where each batch of
 *   the range ends when there are several (`insertConcurrency` > 1); without it the range is one batch.
 * - `logId`: see segment-format.ts; kept here too so it survives the deletion of every segment.
 */
export interface Cursor {
  logId: string;
  committed: number;
  pending: PendingRange | null;
}

export interface PendingRange {
  first: number;
  last: number;
  /** The last position of each batch in the range, ascending, `last` included; absent for one batch. */
  ends?: number[];
}

/** The batches of a pending range, in order. */
export function pendingBatches(range: PendingRange): Array<{ first: number; last: number }> {
  const ends = range.ends ?? [range.last];
  return ends.map((last, i) => ({ first: i === 0 ? range.first : (ends[i - 1] as number) + 1, last }));
}

/** The part of `range` after `committed` (a batch end), or null when nothing is left. */
export function pendingAfter(range: PendingRange, committed: number): PendingRange | null {
  if (range.last <= committed) return null;
  if (committed < range.first) return range;
  const ends = (range.ends ?? [range.last]).filter((end) => end > committed);
  return ends.length > 1 ? { first: committed + 1, last: range.last, ends } : { first: committed + 1, last: range.last };
}

export const CURSOR_FILE = 'cursor.json';

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `<dir>/<name>` atomically: a temp file, fsynced, renamed over the old one, then the directory fsynced. */
export async function writeFileDurably(dir: string, name: string, content: string): Promise<void> {
  const path = join(dir, name);
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await fsyncDir(dir);
}

export async function writeCursor(dir: string, cursor: Cursor): Promise<void> {
  await writeFileDurably(dir, CURSOR_FILE, `${JSON.stringify({ version: 1, ...cursor })}\n`);
}

export type CursorRead =
  | { ok: true; cursor: Cursor }
  | { ok: false; reason: 'missing' }
  | { ok: false; reason: 'invalid'; detail: string };

export async function readCursor(dir: string): Promise<CursorRead> {
  let text: string;
  try {
    text = await readFile(join(dir, CURSOR_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, reason: 'missing' };
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<Cursor> & { version?: unknown };
    const pending = value.pending;
    const pendingOk = pending === null || (typeof pending === 'object' && pending !== undefined && isSeq(pending.first) && isSeq(pending.last) && endsOk(pending));
    if (value.version !== 1 || typeof value.logId !== 'string' || !/^[0-9a-f]{32}$/.test(value.logId) || !isSeq(value.committed) || !pendingOk) {
      return { ok: false, reason: 'invalid', detail: `unexpected content: ${text.slice(0, 200)}` };
    }
    return { ok: true, cursor: { logId: value.logId, committed: value.committed, pending: pending ?? null } };
  } catch (error) {
    return { ok: false, reason: 'invalid', detail: (error as Error).message };
  }
}

function endsOk(range: PendingRange): boolean {
  if (range.ends === undefined) return true;
  if (!Array.isArray(range.ends) || range.ends.length === 0 || range.ends[range.ends.length - 1] !== range.last) return false;
  return range.ends.every((end, i) => isSeq(end) && end >= range.first && (i === 0 || end > (range.ends as number[])[i - 1]!));
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

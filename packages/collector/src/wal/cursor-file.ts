import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `<dir>/cursor.json`: where the writer is. Replaced atomically (write a temp file, fsync it,
 * rename it over the old one, fsync the directory), so a crash leaves either the old or the new
 * cursor, never a mix.
 *
 * - `committed`: every record with a sequence number ≤ this is in ClickHouse.
 * - `pending`: the range of the batch being inserted, recorded before the insert, so after a crash
 *   the same range is re-sent with the same dedup token.
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

export async function writeCursor(dir: string, cursor: Cursor): Promise<void> {
  const path = join(dir, CURSOR_FILE);
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(`${JSON.stringify({ version: 1, ...cursor })}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await fsyncDir(dir);
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
    const pendingOk = pending === null || (typeof pending === 'object' && pending !== undefined && isSeq(pending.first) && isSeq(pending.last));
    if (value.version !== 1 || typeof value.logId !== 'string' || !/^[0-9a-f]{32}$/.test(value.logId) || !isSeq(value.committed) || !pendingOk) {
      return { ok: false, reason: 'invalid', detail: `unexpected content: ${text.slice(0, 200)}` };
    }
    return { ok: true, cursor: { logId: value.logId, committed: value.committed, pending: pending ?? null } };
  } catch (error) {
    return { ok: false, reason: 'invalid', detail: (error as Error).message };
  }
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

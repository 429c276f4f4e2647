import { unlink } from 'node:fs/promises';
import { fsyncDir } from './cursor-file';
import type { LogState } from './log-state';

/**
 * Deletes the oldest segments whose records are all committed, unless `keepRawMs` says to keep them
 * (the raw source of truth for `sluice replay`). The active segment is never deleted; a sealed one
 * (segment-appender.ts) is, which is how a drained log gives its disk back.
 */
export async function applyRetention(state: LogState, keepRawMs: number, now: number): Promise<number> {
  const cutoff = now - keepRawMs;
  let removed = 0;
  while (state.segments.length > 0) {
    const oldest = state.segments[0] as LogState['segments'][number];
    if (oldest === state.active?.info || oldest.lastSeq > state.cursor.committed || (keepRawMs > 0 && oldest.modifiedAt > cutoff)) break;
    await unlink(oldest.path);
    state.segments.shift();
    removed++;
  }
  if (removed > 0) await fsyncDir(state.dir);
  return removed;
}

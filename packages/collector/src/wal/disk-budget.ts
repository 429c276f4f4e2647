import { statfs } from 'node:fs/promises';
import { DEFAULTS } from '../defaults';

export interface DiskBudget {
  maxBytes: number;
  segmentBytes: number;
  /** Set when the disk, not the configuration, sets the cap: what to tell the operator. */
  limitedBy?: string;
}

/** Bytes free for an unprivileged writer on the filesystem under `dir`. */
export async function freeBytesOf(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

/**
 * Weighs the log's byte cap against the room the disk has when the log is opened (free bytes plus
 * what the log already holds, less the reserve the appender leaves free). The cap becomes at most
 * `DEFAULTS.walDiskShare` of that, and segments at most a quarter of the cap, so the uncommitted records plus
 * the one partly committed segment still fit:
 * a log on a small disk answers 503 at its cap instead of failing its appends with ENOSPC.
 */
export function weighDisk(wanted: { maxBytes: number; segmentBytes: number }, room: number): DiskBudget {
  const allowed = Math.floor(Math.max(0, room - DEFAULTS.walDiskReserveBytes) * DEFAULTS.walDiskShare);
  const maxBytes = Math.min(wanted.maxBytes, allowed);
  const segmentBytes = Math.min(wanted.segmentBytes, Math.max(DEFAULTS.walMinSegmentBytes, Math.floor(maxBytes / 4)));
  if (maxBytes >= wanted.maxBytes) return { maxBytes, segmentBytes };
  return {
    maxBytes,
    segmentBytes,
    limitedBy: `the disk has room for ${room} bytes, so the log holds at most ${maxBytes} (not ${wanted.maxBytes}); free space or pass a smaller wal.maxBytes to silence this`,
  };
}

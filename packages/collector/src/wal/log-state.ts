import type { FileHandle } from 'node:fs/promises';
import type { Cursor } from './cursor-file';
import type { RecordIndex } from './record-index';
import type { SegmentInfo } from './recovery';

/**
 * What an open log knows, shared by its parts: the appender (segment-appender.ts) moves `lastPosition`
 * and `lastEnd`, the cursor moves `committed` and `committedEnd`, retention drops old `segments`.
 * Offsets are logical (record-index.ts).
 */
export interface LogState {
  readonly dir: string;
  readonly logId: string;
  segments: SegmentInfo[];
  /** Uncommitted records: logical end offsets and append times. */
  index: RecordIndex;
  cursor: Cursor;
  /** Logical offset just after the last committed record. */
  committedEnd: number;
  /** The last durable record. */
  lastPosition: number;
  /** Logical offset just after it. */
  lastEnd: number;
  /** The segment appends go to; undefined until the first append, and after it was sealed. */
  active: { info: SegmentInfo; handle: FileHandle } | undefined;
}

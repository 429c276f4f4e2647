import { CollectorError } from '../errors';
import type { LogState } from './log-state';
import { SEGMENT_HEADER_BYTES } from './segment-format';
import { readSegmentSpan } from './segment-reader';
import type { Position, WalRecord } from './wal-types';

/**
 * Durable records after `max(position, committed)`, in order: at most `limit`, and at most
 * `maxPayloadBytes` of payload (at least one record). One read per segment touched.
 */
export async function readRecords(state: LogState, position: Position, limit: number, maxPayloadBytes = Number.POSITIVE_INFINITY): Promise<WalRecord[]> {
  const { cursor, index } = state;
  const first = Math.max(position, cursor.committed) + 1;
  const lastWanted = Math.min(state.lastPosition, first + Math.max(limit, 1) - 1);
  if (first > lastWanted) return [];
  const startOf = (seq: number): number => (seq - 1 === cursor.committed ? state.committedEnd : index.end(seq - 1));
  const start = startOf(first);
  let stop = first;
  while (stop < lastWanted && index.end(stop + 1) - start <= maxPayloadBytes) stop++;
  const end = index.end(stop);
  const out: WalRecord[] = [];
  let seq = first;
  for (const segment of state.segments) {
    const segStart = segment.logicalBase;
    const segEnd = segment.logicalBase + segment.size - SEGMENT_HEADER_BYTES;
    if (segEnd <= start || segStart >= end) continue;
    const records = await readSegmentSpan(segment, Math.max(start, segStart), Math.min(end, segEnd), seq);
    seq += records.length;
    out.push(...records);
  }
  if (out.length !== stop - first + 1) {
    throw new CollectorError('internal', `the write-ahead log in ${state.dir} returned ${out.length} records for ${first}…${stop}; this is a bug in Sluice, please report it`);
  }
  return out;
}

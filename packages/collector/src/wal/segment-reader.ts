import { open } from 'node:fs/promises';
import { CollectorError } from '../errors';
import { scanRecords } from './record-codec';
import type { SegmentInfo } from './recovery';
import { SEGMENT_HEADER_BYTES } from './segment-format';
import type { WalRecord } from './wal-types';

/**
 * Reads the records between logical offsets `from` and `to` (record-index.ts) of one segment with a
 * single read, verifying each checksum again: a record that rotted on disk after it was written is
 * reported, never sent.
 */
export async function readSegmentSpan(segment: SegmentInfo, from: number, to: number, firstSeq: number): Promise<WalRecord[]> {
  const handle = await open(segment.path, 'r');
  const buf = Buffer.allocUnsafe(to - from);
  try {
    for (let read = 0; read < buf.length; ) {
      const { bytesRead } = await handle.read(buf, read, buf.length - read, SEGMENT_HEADER_BYTES + from - segment.logicalBase + read);
      if (bytesRead === 0) throw new Error(`unexpected end of ${segment.path} at byte ${read}`);
      read += bytesRead;
    }
  } finally {
    await handle.close();
  }
  const scan = scanRecords(buf, 0, firstSeq);
  if (scan.problem !== undefined) {
    throw new CollectorError(
      'internal',
      `record ${firstSeq + scan.records.length} in ${segment.path} failed its checksum when read back (${scan.problem}); the disk may be failing: stop the collector and copy the log directory before restarting`,
    );
  }
  return scan.records.map((record) => ({ position: record.seq, appendedAt: record.appendedAt, payload: record.payload }));
}

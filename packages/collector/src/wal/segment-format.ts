import { crc32 } from 'node:zlib';

/**
 * A segment file is `<dir>/<startSeq, 16 digits>.wal`: a 40-byte header, then records
 * (record-codec.ts) with sequence numbers startSeq, startSeq + 1, … Header, little-endian:
 *
 *   offset  size  field
 *   0       8     magic "SLUICEWL"
 *   8       4     format version (u32) = 1
 *   12      8     startSeq (u64), the sequence number of the first record
 *   20      16    logId: random bytes chosen when the log was created; part of every dedup token,
 *                 so a log that is deleted and recreated never reuses a token ClickHouse remembers
 *   36      4     CRC-32 of bytes 0..36
 */
export const SEGMENT_HEADER_BYTES = 40;
export const SEGMENT_VERSION = 1;
const MAGIC = Buffer.from('SLUICEWL', 'latin1');
const SUFFIX = '.wal';

export interface SegmentHeader {
  startSeq: number;
  /** 32 hex characters. */
  logId: string;
}

export function segmentFileName(startSeq: number): string {
  return `${String(startSeq).padStart(16, '0')}${SUFFIX}`;
}

/** The start sequence a segment file name announces, or undefined for other files. */
export function parseSegmentFileName(name: string): number | undefined {
  const match = /^(\d{16})\.wal$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function encodeSegmentHeader(header: SegmentHeader): Buffer {
  const out = Buffer.alloc(SEGMENT_HEADER_BYTES);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(SEGMENT_VERSION, 8);
  out.writeBigUInt64LE(BigInt(header.startSeq), 12);
  Buffer.from(header.logId, 'hex').copy(out, 20);
  out.writeUInt32LE(crc32(out.subarray(0, 36)), 36);
  return out;
}

export type HeaderResult = { ok: true; header: SegmentHeader } | { ok: false; reason: string };

export function decodeSegmentHeader(buf: Buffer): HeaderResult {
  if (buf.length < SEGMENT_HEADER_BYTES) return { ok: false, reason: `header truncated (${buf.length} of ${SEGMENT_HEADER_BYTES} bytes)` };
  if (!buf.subarray(0, 8).equals(MAGIC)) return { ok: false, reason: 'not a Sluice write-ahead-log segment (bad magic)' };
  if (crc32(buf.subarray(0, 36)) !== buf.readUInt32LE(36)) return { ok: false, reason: 'header checksum mismatch' };
  const version = buf.readUInt32LE(8);
  if (version !== SEGMENT_VERSION) return { ok: false, reason: `segment format version ${version} is not supported by this Sluice (expects ${SEGMENT_VERSION})` };
  return {
    ok: true,
    header: { startSeq: Number(buf.readBigUInt64LE(12)), logId: buf.subarray(20, 36).toString('hex') },
  };
}

import { crc32 } from 'node:zlib';

/**
 * One record of a segment file, little-endian:
 *
 *   offset  size  field
 *   0       4     payload length N (u32)
 *   4       4     CRC-32 (zlib polynomial) over: the record's sequence number (u64, not stored),
 *                 bytes 8..16 and the payload
 *   8       8     appendedAt, epoch milliseconds (f64)
 *   16      N     payload
 *
 * The sequence number is implicit (segment start + index) but covered by the checksum, so a record
 * found at the wrong place never verifies. A record is valid only when its whole length is present
 * and its checksum matches; anything else ends the log there (see recovery.ts).
 */
export const RECORD_HEADER_BYTES = 16;
/** Largest payload a record may carry (the u32 length field, minus a margin). */
export const MAX_PAYLOAD_BYTES = 0xffff_0000;

export interface DecodedRecord {
  seq: number;
  appendedAt: number;
  payload: Buffer;
  /** Byte offset of the record header in the buffer it was decoded from. */
  offset: number;
  /** Header plus payload. */
  size: number;
}

export function recordSize(payloadBytes: number): number {
  return RECORD_HEADER_BYTES + payloadBytes;
}

function checksum(seq: number, header: Buffer, payload: Uint8Array): number {
  const seqBytes = Buffer.allocUnsafe(8);
  seqBytes.writeBigUInt64LE(BigInt(seq));
  return crc32(payload, crc32(header.subarray(8, 16), crc32(seqBytes)));
}

/** Writes one record into `target` at `offset`; returns the offset after it. */
export function writeRecord(target: Buffer, offset: number, seq: number, appendedAt: number, payload: Uint8Array): number {
  const header = target.subarray(offset, offset + RECORD_HEADER_BYTES);
  header.writeUInt32LE(payload.byteLength, 0);
  header.writeDoubleLE(appendedAt, 8);
  header.writeUInt32LE(checksum(seq, header, payload), 4);
  target.set(payload, offset + RECORD_HEADER_BYTES);
  return offset + RECORD_HEADER_BYTES + payload.byteLength;
}

export function encodeRecord(seq: number, appendedAt: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(recordSize(payload.byteLength));
  writeRecord(out, 0, seq, appendedAt, payload);
  return out;
}

export type DecodeResult =
  | { ok: true; record: DecodedRecord }
  /** `truncated`: fewer bytes than the header or the length announces; `checksum`: bytes present but wrong. */
  | { ok: false; reason: 'truncated' | 'checksum' | 'end' };

/** Decodes the record at `offset` of `buf`, expected to carry sequence number `seq`. */
export function decodeRecord(buf: Buffer, offset: number, seq: number): DecodeResult {
  if (offset === buf.length) return { ok: false, reason: 'end' };
  if (buf.length - offset < RECORD_HEADER_BYTES) return { ok: false, reason: 'truncated' };
  const header = buf.subarray(offset, offset + RECORD_HEADER_BYTES);
  const length = header.readUInt32LE(0);
  if (length > MAX_PAYLOAD_BYTES) return { ok: false, reason: 'checksum' };
  const end = offset + RECORD_HEADER_BYTES + length;
  if (end > buf.length) return { ok: false, reason: 'truncated' };
  const payload = buf.subarray(offset + RECORD_HEADER_BYTES, end);
  if (checksum(seq, header, payload) !== header.readUInt32LE(4)) return { ok: false, reason: 'checksum' };
  return { ok: true, record: { seq, appendedAt: header.readDoubleLE(8), payload, offset, size: end - offset } };
}

export interface ScanResult {
  records: DecodedRecord[];
  /** Offset just after the last valid record. */
  validEnd: number;
  /** Why the scan stopped before the end of `buf`, if it did. */
  problem: 'truncated' | 'checksum' | undefined;
}

/** Decodes consecutive records from `offset`, stopping at the end or at the first invalid record. */
export function scanRecords(buf: Buffer, offset: number, firstSeq: number): ScanResult {
  const records: DecodedRecord[] = [];
  let at = offset;
  let seq = firstSeq;
  for (;;) {
    const result = decodeRecord(buf, at, seq);
    if (!result.ok) return { records, validEnd: at, problem: result.reason === 'end' ? undefined : result.reason };
    records.push(result.record);
    at += result.record.size;
    seq++;
  }
}

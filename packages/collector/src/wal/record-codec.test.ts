import { describe, expect, it } from 'vitest';
import { RECORD_HEADER_BYTES, decodeRecord, encodeRecord, scanRecords } from './record-codec';
import { SEGMENT_HEADER_BYTES, decodeSegmentHeader, encodeSegmentHeader, parseSegmentFileName, segmentFileName } from './segment-format';

describe('record codec', () => {
  it('round-trips payload, sequence and append time', () => {
    const payload = Buffer.from('{"hello":"wörld"}\n');
    const encoded = encodeRecord(42, 1_700_000_000_123, payload);
    expect(encoded.length).toBe(RECORD_HEADER_BYTES + payload.length);
    const decoded = decodeRecord(encoded, 0, 42);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.record.payload.equals(payload)).toBe(true);
    expect(decoded.record.appendedAt).toBe(1_700_000_000_123);
    expect(decoded.record.size).toBe(encoded.length);
  });

  it('round-trips an empty payload', () => {
    const decoded = decodeRecord(encodeRecord(1, 0, new Uint8Array(0)), 0, 1);
    expect(decoded.ok && decoded.record.payload.length).toBe(0);
  });

  it('rejects a flipped byte anywhere in the record', () => {
    const encoded = encodeRecord(7, 123, Buffer.from('some payload bytes'));
    for (let i = 0; i < encoded.length; i++) {
      const copy = Buffer.from(encoded);
      copy[i] = (copy[i] as number) ^ 0x01;
      const decoded = decodeRecord(copy, 0, 7);
      expect(decoded.ok, `flip at byte ${i}`).toBe(false);
    }
  });

  it('rejects a record found under the wrong sequence number', () => {
    expect(decodeRecord(encodeRecord(7, 123, Buffer.from('x')), 0, 8)).toEqual({ ok: false, reason: 'checksum' });
  });

  it('reports a truncated record as torn, not as garbage', () => {
    const encoded = encodeRecord(1, 0, Buffer.alloc(100, 1));
    expect(decodeRecord(encoded.subarray(0, 50), 0, 1)).toEqual({ ok: false, reason: 'truncated' });
    expect(decodeRecord(encoded.subarray(0, 3), 0, 1)).toEqual({ ok: false, reason: 'truncated' });
  });

  it('scans until the first invalid record', () => {
    const records = [1, 2, 3].map((seq) => encodeRecord(seq, seq, Buffer.from(`record ${seq}`)));
    const whole = Buffer.concat(records);
    expect(scanRecords(whole, 0, 1)).toMatchObject({ validEnd: whole.length, problem: undefined });
    const torn = whole.subarray(0, whole.length - 4);
    const scan = scanRecords(torn, 0, 1);
    expect(scan.records.map((r) => r.payload.toString())).toEqual(['record 1', 'record 2']);
    expect(scan.problem).toBe('truncated');
    expect(scan.validEnd).toBe((records[0] as Buffer).length + (records[1] as Buffer).length);
  });
});

describe('segment format', () => {
  it('names segments by their start sequence, sortable as text', () => {
    expect(segmentFileName(12)).toBe('0000000000000012.wal');
    expect(parseSegmentFileName('0000000000000012.wal')).toBe(12);
    expect(parseSegmentFileName('cursor.json')).toBeUndefined();
    expect(parseSegmentFileName('0000000000000012.wal.corrupt-1')).toBeUndefined();
  });

  it('round-trips and verifies the header', () => {
    const logId = '0123456789abcdef0123456789abcdef';
    const header = encodeSegmentHeader({ startSeq: 99, logId });
    expect(header.length).toBe(SEGMENT_HEADER_BYTES);
    expect(decodeSegmentHeader(header)).toEqual({ ok: true, header: { startSeq: 99, logId } });
    const flipped = Buffer.from(header);
    flipped[13] = (flipped[13] as number) ^ 0xff;
    expect(decodeSegmentHeader(flipped).ok).toBe(false);
    expect(decodeSegmentHeader(header.subarray(0, 10)).ok).toBe(false);
  });
});

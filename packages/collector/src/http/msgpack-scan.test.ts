import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { scanMsgpack } from './msgpack-scan';

describe('scanMsgpack', () => {
  it('accepts what msgpackr packs for a batch', () => {
    const batch = { batch: [{ type: 'track', event: 'é ✓', userId: 7, properties: { n: 1.5, big: 2 ** 40, neg: -3, ok: true, no: null, list: [1, 'a', { x: new Uint8Array(3) }] } }], sentAt: '2025-01-01T00:00:00Z' };
    expect(scanMsgpack(pack(batch), 32)).toBeUndefined();
    expect(scanMsgpack(pack({ s: 'x'.repeat(70_000), a: Array.from({ length: 70_000 }, (_, i) => i) }), 32)).toBeUndefined();
  });

  it.each([
    ['array32 of 2^32-16 items', [0xdd, 0xff, 0xff, 0xff, 0xf0], /declares 4294967280 items/],
    ['map16 with more entries than bytes', [0xde, 0x00, 0x10, 0xa1, 0x61], /declares 32 items/],
    ['str32 of 4 GiB', [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61], /string of 4294967295 bytes/],
    ['bin32 past the end', [0xc6, 0x00, 0x01, 0x00, 0x00, 0x00], /middle of a value/],
    ['truncated float64', [0xcb, 0x00, 0x00], /middle of a value/],
    ['fixext (Date)', [0xd6, 0xff, 0, 0, 0, 0], /extension/],
    ['reserved byte 0xc1', [0xc1], /0xc1/],
    ['invalid UTF-8 string', [0xa1, 0xff], /UTF-8/],
    ['trailing bytes', [0xc0, 0xc0], /after the first value/],
    ['empty', [], /middle of a value/],
  ])('refuses %s', (_name, bytes, reason) => {
    expect(scanMsgpack(new Uint8Array(bytes), 32)).toMatch(reason);
  });

  it('bounds nesting', () => {
    const deep = new Uint8Array(100).fill(0x91);
    deep[99] = 0xc0;
    expect(scanMsgpack(deep, 32)).toMatch(/deeper than 32/);
    expect(scanMsgpack(deep.subarray(70), 32)).toBeUndefined();
  });
});

import fc from 'fast-check';
import { Packr, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { createMsgpackWriter } from './msgpack-writer';

const writer = createMsgpackWriter(64);
const decode = (bytes: Uint8Array) => new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' }).unpack(bytes) as unknown;
const viaJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('createMsgpackWriter', () => {
  it('decodes to what JSON would send, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(decode(writer.encode(value))).toEqual(viaJson(value));
      }),
      { numRuns: 500 },
    );
  });

  it('writes the same bytes as msgpackr for JSON values (smallest headers, no extensions)', () => {
    const packr = new Packr({ useRecords: false, variableMapSize: true });
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // -0 is the one difference: msgpackr keeps it as a float, JSON (and this writer) send 0.
        const json = viaJson(value);
        expect(Buffer.from(writer.encode(json)).equals(Buffer.from(packr.pack(json)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves undefined, functions and symbols out of objects and writes nil for them in arrays, as JSON does', () => {
    const value = { a: undefined, b: () => 1, c: Symbol('c'), d: [undefined, () => 1, 2], e: null };
    expect(decode(writer.encode(value))).toEqual({ d: [null, null, 2], e: null });
  });

  it('honours toJSON (a Date is its ISO string), and writes non-finite numbers as nil', () => {
    const at = new Date(Date.UTC(2025, 5, 1, 12));
    const value = { at, nested: [at], custom: { toJSON: () => 'custom' }, nan: Number.NaN, inf: -Infinity };
    expect(decode(writer.encode(value))).toEqual({ at: '2025-06-01T12:00:00.000Z', nested: ['2025-06-01T12:00:00.000Z'], custom: 'custom', nan: null, inf: null });
  });

  it('writes a Map as a map and a BigInt as a 64-bit integer, as msgpackr did; refuses a BigInt beyond 64 bits', () => {
    expect(decode(writer.encode({ m: new Map<string, unknown>([['k', 1], ['u', undefined]]), big: 2n ** 40n, neg: -(2n ** 40n) }))).toEqual({
      m: { k: 1, u: null },
      big: 2 ** 40,
      neg: -(2 ** 40),
    });
    expect(() => writer.encode({ big: 2n ** 64n })).toThrow(/does not fit in 64 bits; send it as a string/);
  });

  it('keeps only own keys of class instances, and reads objects without a prototype', () => {
    class Point {
      constructor(public x: number) {}
      get double() {
        return this.x * 2;
      }
    }
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: 'v' });
    expect(decode(writer.encode({ p: new Point(3), bare }))).toEqual({ p: { x: 3 }, bare: { k: 'v' } });
  });

  it('picks the header from the UTF-8 length, whatever the text (fixstr, str8, str16, str32)', () => {
    // Lengths around each boundary, in ASCII and in 2- and 3-byte characters, so the header guessed
    // from the character count must sometimes grow.
    const texts: string[] = [];
    for (const unit of ['a', 'é', '✓', '😀']) {
      for (const chars of [0, 1, 10, 11, 15, 16, 23, 24, 31, 32, 85, 86, 127, 128, 255, 256, 21_845, 21_846, 32_767, 32_768, 65_535, 65_536]) {
        texts.push(unit.repeat(Math.ceil(chars / unit.length)));
      }
    }
    for (const text of texts) {
      const bytes = writer.encode(text);
      const length = Buffer.byteLength(text);
      const header = length < 32 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
      expect(bytes.length, `${text.length} × ${text[0]}`).toBe(header + length);
      expect(unpack(bytes)).toBe(text);
    }
  });

  it('writes valid UTF-8 for a lone surrogate (the replacement character), which the collector requires', () => {
    for (const text of ['\ud800', `${'x'.repeat(40)}\udc00`]) {
      const bytes = writer.encode(text);
      expect(Buffer.from(bytes).subarray(bytes.length - 3).equals(Buffer.from('\ufffd'))).toBe(true);
    }
  });

  it('widens map and array headers to 16 and 32 bits', () => {
    for (const size of [15, 16, 65_535, 65_536]) {
      const object = Object.fromEntries(Array.from({ length: size }, (_, i) => [`k${i}`, i]));
      expect(decode(writer.encode(object))).toEqual(object);
      const array = Array.from({ length: size }, (_, i) => i);
      expect(decode(writer.encode(array))).toEqual(array);
    }
  });

  it('returns a copy: a later encode does not change an earlier body', () => {
    const first = writer.encode({ a: 'x'.repeat(1000) });
    const copy = Buffer.from(first);
    writer.encode({ b: 'y'.repeat(1000) });
    expect(Buffer.from(first).equals(copy)).toBe(true);
  });
});

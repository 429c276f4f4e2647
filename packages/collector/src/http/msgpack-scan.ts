import { isUtf8 } from 'node:buffer';

/**
 * Walks a msgpack buffer without building anything and returns why it must not be decoded, or
 * `undefined` when it is safe. Every declared length is checked against the bytes that remain (an
 * array of 2^32 items in a 100-byte body is refused before any decoder allocates for it), strings
 * must be valid UTF-8, nesting is bounded, and extension types are refused: events carry only
 * JSON-shaped values.
 */
export function scanMsgpack(buf: Uint8Array, maxDepth: number): string | undefined {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  // Values still to read at each open container level.
  const pending: number[] = [1];
  while (pending.length > 0) {
    const top = pending.length - 1;
    if (pending[top] === 0) {
      pending.pop();
      continue;
    }
    pending[top]!--;
    if (pos >= buf.length) return 'ends in the middle of a value';
    const byte = buf[pos++]!;
    let length = -1;
    let items = -1;
    let skip = 0;
    if (byte <= 0x7f || byte >= 0xe0 || byte === 0xc0 || byte === 0xc2 || byte === 0xc3) skip = 0;
    else if (byte >= 0x80 && byte <= 0x8f) items = (byte & 0x0f) * 2;
    else if (byte >= 0x90 && byte <= 0x9f) items = byte & 0x0f;
    else if (byte >= 0xa0 && byte <= 0xbf) length = byte & 0x1f;
    else {
      const need = HEADER_BYTES[byte];
      if (need === undefined) return `uses type 0x${byte.toString(16)}, which is not accepted (extension types and reserved bytes); send plain maps, arrays, strings, numbers, booleans and nil`;
      if (pos + need > buf.length) return 'ends in the middle of a value';
      const n = need === 1 ? view.getUint8(pos) : need === 2 ? view.getUint16(pos) : need === 4 ? view.getUint32(pos) : 0;
      if (byte >= 0xc4 && byte <= 0xc6) skip = need + n; // bin 8/16/32
      else if (byte >= 0xd9 && byte <= 0xdb) {
        pos += need;
        length = n;
      } else if (byte === 0xdc || byte === 0xdd) {
        pos += need;
        items = n;
      } else if (byte === 0xde || byte === 0xdf) {
        pos += need;
        items = n * 2;
      } else skip = need; // numbers
    }
    if (length >= 0) {
      if (pos + length > buf.length) return `declares a string of ${length} bytes but only ${buf.length - pos} remain`;
      if (!isUtf8(buf.subarray(pos, pos + length))) return 'has a string that is not valid UTF-8';
      pos += length;
    } else if (items >= 0) {
      // Every item takes at least one byte, so a count over the remaining bytes is a lie.
      if (items > buf.length - pos) return `declares ${items} items but only ${buf.length - pos} bytes remain`;
      if (items > 0) {
        if (pending.length > maxDepth) return `nests deeper than ${maxDepth} levels`;
        pending.push(items);
      }
    } else {
      if (pos + skip > buf.length) return 'ends in the middle of a value';
      pos += skip;
    }
  }
  if (pos !== buf.length) return 'has bytes after the first value; send exactly one map';
  return undefined;
}

/** Header bytes after the type byte for the fixed-layout types (bin, floats, ints, str8+, array16+, map16+). */
const HEADER_BYTES: Record<number, number> = {
  0xc4: 1, 0xc5: 2, 0xc6: 4,
  0xca: 4, 0xcb: 8,
  0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8,
  0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8,
  0xd9: 1, 0xda: 2, 0xdb: 4,
  0xdc: 2, 0xdd: 4,
  0xde: 2, 0xdf: 4,
};

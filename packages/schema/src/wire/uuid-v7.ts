/** Random bytes fetched per call to `getRandomValues`: 10 per id, so one call serves 409 ids. */
const POOL_BYTES = 4096 - (4096 % 10);

/** Fills a byte array with random values and returns it, as `crypto.getRandomValues` does. */
export type FillRandom = (bytes: Uint8Array) => Uint8Array;

/** The shape of every UUIDv7: version 7, variant 10. */
export const UUIDV7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Character codes of the hex digits. */
const DIGITS = Array.from('0123456789abcdef', (char) => char.charCodeAt(0));

/**
 * Returns a generator of RFC 9562 UUIDv7 strings: 48 bits of Unix milliseconds, then 74 random
 * bits, so ids sort by creation time (which keeps ClickHouse parts tidy). Random bytes come from a
 * pooled buffer, so one `getRandomValues` call serves hundreds of ids. Each id is made by one
 * `String.fromCharCode` call, so it is a flat string: one built with `+` is a tree of 20 pieces,
 * which is slow to keep and slow to read character by character, as every encoder does.
 */
export const createUuidV7 = (getRandomValues: FillRandom = (bytes) => globalThis.crypto.getRandomValues(bytes)) => {
  const pool = new Uint8Array(POOL_BYTES);
  let offset = POOL_BYTES;
  // Character codes of an id, the dashes in place; each call writes the 32 digits.
  const codes = Array.from('00000000-0000-0000-0000-000000000000', (char) => char.charCodeAt(0));
  return (nowMs: number): string => {
    if (offset >= POOL_BYTES) {
      getRandomValues(pool);
      offset = 0;
    }
    const ms = Math.max(0, Math.floor(nowMs));
    // 48 bits of time as high 16 and low 32 bits, so no digit needs 64-bit arithmetic.
    const high = Math.floor(ms / 0x1_0000_0000);
    let time = ms >>> 0;
    // From the last digit back: 20 random nibbles (10 bytes of the pool) down to the version
    // digit 7 at 14, whose nibble is unused, with the variant (binary 10) in the top of digit 19;
    // then the 8 digits of the low 32 bits of time, and the 4 of the high 16.
    for (let i = 35, nibble = 0; i >= 0; i--) {
      if (i === 8 || i === 13 || i === 18 || i === 23) continue;
      let digit: number;
      if (i > 13) {
        digit = (pool[offset + (nibble >> 1)]! >> ((nibble++ & 1) * 4)) & 0x0f;
        if (i === 14) digit = 7;
        else if (i === 19) digit = 8 | (digit & 3);
      } else {
        digit = time & 0x0f;
        time = i === 4 ? high : time >>> 4;
      }
      codes[i] = DIGITS[digit]!;
    }
    offset += 10;
    return String.fromCharCode.apply(null, codes);
  };
};

/** The Unix milliseconds encoded in a UUIDv7. */
export const uuidV7Time = (id: string): number => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

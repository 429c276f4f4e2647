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
 * pooled buffer, so one `getRandomValues` call serves hundreds of ids, and the 12 time digits are
 * written again only when the millisecond changes. Each id is made by one `String.fromCharCode`
 * call, so it is a flat string: one built with `+` is a tree of 20 pieces, which is slow to keep
 * and slow to read character by character, as every encoder does.
 */
export const createUuidV7 = (getRandomValues: FillRandom = (bytes) => globalThis.crypto.getRandomValues(bytes)) => {
  const pool = new Uint8Array(POOL_BYTES);
  let offset = POOL_BYTES;
  let lastMs = -1;
  // Character codes of an id, with the dashes, and the version digit 7 at 14, in place.
  const codes = Array.from('00000000-0000-7000-8000-000000000000', (char) => char.charCodeAt(0));
  return (nowMs: number): string => {
    if (offset >= POOL_BYTES) {
      getRandomValues(pool);
      offset = 0;
    }
    const ms = Math.max(0, Math.floor(nowMs));
    // The 12 digits of time (digits 0-7 and 9-12), from the last one back.
    for (let i = 12, time = ms; ms !== lastMs && i >= 0; i--) {
      if (i === 8) continue;
      codes[i] = DIGITS[time % 16]!;
      time = Math.floor(time / 16);
    }
    lastMs = ms;
    // 19 random digits from 10 pooled bytes, skipping the dashes; the variant (binary 10) is the top of digit 19.
    for (let i = 15, nibble = offset * 2; i < 36; i++) {
      if (i === 18 || i === 23) continue;
      const digit = (pool[nibble >> 1]! >> ((nibble++ & 1) * 4)) & 15;
      codes[i] = DIGITS[i === 19 ? 8 | (digit & 3) : digit]!;
    }
    offset += 10;
    return String.fromCharCode.apply(null, codes);
  };
};

/** The Unix milliseconds encoded in a UUIDv7. */
export const uuidV7Time = (id: string): number => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Random bytes fetched per call to `getRandomValues`: 10 per id, so one call serves 409 ids. */
const POOL_BYTES = 4096 - (4096 % 10);

/** Fills a byte array with random values and returns it, as `crypto.getRandomValues` does. */
export type FillRandom = (bytes: Uint8Array) => Uint8Array;

/** The shape of every UUIDv7: version 7, variant 10. */
export const UUIDV7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Returns a generator of RFC 9562 UUIDv7 strings: 48 bits of Unix milliseconds, then 74 random
 * bits, so ids sort by creation time (which keeps ClickHouse parts tidy). Random bytes come from a
 * pooled buffer, so one `getRandomValues` call serves hundreds of ids.
 */
export const createUuidV7 = (getRandomValues: FillRandom = (bytes) => globalThis.crypto.getRandomValues(bytes)) => {
  const pool = new Uint8Array(POOL_BYTES);
  let offset = POOL_BYTES;
  return (nowMs: number): string => {
    if (offset >= POOL_BYTES) {
      getRandomValues(pool);
      offset = 0;
    }
    const r = offset;
    offset += 10;
    // 48-bit timestamp: high 16 bits and low 32 bits, without 64-bit integer arithmetic.
    const ms = Math.max(0, Math.floor(nowMs));
    const high = Math.floor(ms / 0x1_0000_0000) & 0xffff;
    const low = ms >>> 0;
    return (
      HEX[high >>> 8]! +
      HEX[high & 0xff]! +
      HEX[low >>> 24]! +
      HEX[(low >>> 16) & 0xff]! +
      '-' +
      HEX[(low >>> 8) & 0xff]! +
      HEX[low & 0xff]! +
      '-' +
      HEX[0x70 | (pool[r]! & 0x0f)]! +
      HEX[pool[r + 1]!]! +
      '-' +
      HEX[0x80 | (pool[r + 2]! & 0x3f)]! +
      HEX[pool[r + 3]!]! +
      '-' +
      HEX[pool[r + 4]!]! +
      HEX[pool[r + 5]!]! +
      HEX[pool[r + 6]!]! +
      HEX[pool[r + 7]!]! +
      HEX[pool[r + 8]!]! +
      HEX[pool[r + 9]!]!
    );
  };
};

/** The Unix milliseconds encoded in a UUIDv7. */
export const uuidV7Time = (id: string): number => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

import { describe, expect, it } from 'vitest';
import { createUuidV7, uuidV7Time } from './uuid-v7';

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('createUuidV7', () => {
  it('formats RFC 9562 version 7, variant 10, with the time in the first 48 bits', () => {
    const uuid = createUuidV7();
    const now = Date.UTC(2025, 5, 1, 12, 34, 56, 789);
    const id = uuid(now);
    expect(id).toMatch(FORMAT);
    expect(uuidV7Time(id)).toBe(now);
    expect(uuid(0).slice(0, 13)).toBe('00000000-0000');
    expect(uuidV7Time(uuid(2 ** 48 - 1))).toBe(2 ** 48 - 1);
  });

  it('sorts by time across milliseconds', () => {
    const uuid = createUuidV7();
    const ids = Array.from({ length: 1_000 }, (_, i) => uuid(1_700_000_000_000 + i * 997));
    expect([...ids].sort()).toEqual(ids);
  });

  it('is unique across 200k ids in one millisecond', () => {
    const uuid = createUuidV7();
    const ids = new Set(Array.from({ length: 200_000 }, () => uuid(1_700_000_000_000)));
    expect(ids.size).toBe(200_000);
    for (const id of [...ids].slice(0, 1_000)) expect(id).toMatch(FORMAT);
  });

  it('draws random bytes from a pool, not once per id', () => {
    let calls = 0;
    const uuid = createUuidV7({
      getRandomValues: (bytes) => {
        calls++;
        return globalThis.crypto.getRandomValues(bytes);
      },
    });
    for (let i = 0; i < 4_090; i++) uuid(1);
    expect(calls).toBe(10);
  });
});

import { describe, expect, it } from 'vitest';
import { createUuidV7, UUIDV7_PATTERN as FORMAT, uuidV7Time } from './uuid-v7';

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

  it('rewrites the time digits whenever the millisecond differs from the previous id', () => {
    const uuid = createUuidV7();
    const times = [5, 5, 2 ** 40 + 3, 2 ** 40 + 3, 5, 0, 2 ** 48 - 1, 5];
    expect(times.map((time) => uuidV7Time(uuid(time)))).toEqual(times);
  });

  it('sorts by time across milliseconds', () => {
    const uuid = createUuidV7();
    const ids = Array.from({ length: 1_000 }, (_, i) => uuid(1_700_000_000_000 + i * 997));
    expect([...ids].sort()).toEqual(ids);
  });

  it('is unique across 50k ids in one millisecond', () => {
    const uuid = createUuidV7();
    const ids = new Set(Array.from({ length: 50_000 }, () => uuid(1_700_000_000_000)));
    expect(ids.size).toBe(50_000);
    for (const id of [...ids].slice(0, 1_000)) expect(id).toMatch(FORMAT);
  });

  it('draws random bytes from a pool, not once per id', () => {
    let calls = 0;
    const uuid = createUuidV7(
  (bytes) => {
        calls++;
        return globalThis.crypto.getRandomValues(bytes);
      });
    for (let i = 0; i < 4_090; i++) uuid(1);
    expect(calls).toBe(10);
  });

  it('takes its random bits from the injected source', () => {
    expect(createUuidV7((bytes) => bytes.fill(0xff))(0x0123456789ab)).toBe('01234567-89ab-7fff-bfff-ffffffffffff');
    expect(createUuidV7((bytes) => bytes.fill(0))(0)).toBe('00000000-0000-7000-8000-000000000000');
  });
});

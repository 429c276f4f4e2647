import { describe, expect, it } from 'vitest';
import { retryDelay } from './backoff';

const backoff = { baseMs: 100, capMs: 5_000 };

describe('retryDelay (full jitter)', () => {
  it('draws from [0, min(cap, base·2^retry))', () => {
    expect(retryDelay(0, backoff, () => 0)).toBe(0);
    expect(retryDelay(0, backoff, () => 0.999999)).toBe(99);
    expect(retryDelay(3, backoff, () => 0.5)).toBe(400);
    expect(retryDelay(6, backoff, () => 0.999999)).toBe(4_999);
    expect(retryDelay(50, backoff, () => 0.999999)).toBe(4_999);
  });

  it('spreads retries of many clients across the whole window', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const delays = Array.from({ length: 10_000 }, () => retryDelay(4, backoff, random));
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(Math.min(...delays)).toBeLessThan(50);
    expect(Math.max(...delays)).toBeGreaterThan(1_550);
    expect(mean).toBeGreaterThan(750);
    expect(mean).toBeLessThan(850);
  });

  it('never undercuts Retry-After', () => {
    expect(retryDelay(0, backoff, () => 0, 3_000)).toBe(3_000);
    expect(retryDelay(9, backoff, () => 0.9, 1)).toBe(4_500);
    expect(retryDelay(2, backoff, () => 0.5, undefined)).toBe(200);
  });
});

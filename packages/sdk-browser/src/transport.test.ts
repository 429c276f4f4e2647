import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './transport';

describe('retryAfterMs', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  it.each([
    ['120', 120_000],
    ['0', 0],
    [null, 0],
    ['Sun, 01 Jun 2025 12:01:30 GMT', 90_000],
    ['Sun, 01 Jun 2025 11:00:00 GMT', 0],
    ['soon', 0],
  ])('%s → %i ms', (h, ms) => expect(retryAfterMs(h, now)).toBe(ms));
});

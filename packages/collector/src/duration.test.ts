import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['7d', 7 * 86_400_000],
    ['30d', 30 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['30m', 1_800_000],
    ['45s', 45_000],
    ['2w', 14 * 86_400_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    [' 7d ', 7 * 86_400_000],
    ['86400000', 86_400_000],
    [3_600_000, 3_600_000],
  ])('%s → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(['', 'd', '7 days', '-1d', '0d', '7y', 'abc', '0'])('refuses %j with the accepted forms', (input) => {
    expect(() => parseDuration(input, 'funnel window')).toThrow(/funnel window .* 30m, 12h, 7d or 2w/);
  });

  it('refuses zero, negative and non-finite numbers', () => {
    expect(() => parseDuration(0)).toThrow(/positive/);
    expect(() => parseDuration(-5)).toThrow(/positive/);
    expect(() => parseDuration(Number.NaN)).toThrow(/positive/);
  });
});

describe('parseDuration for --keep-raw', () => {
  it("reads the forms the README shows; 0 (off) is the caller's to handle", () => {
    expect(parseDuration('7d', '--keep-raw')).toBe(7 * 86_400_000);
    expect(parseDuration('1.5s', '--keep-raw')).toBe(1_500);
    expect(() => parseDuration('0', '--keep-raw')).toThrow(/--keep-raw "0" is not a duration/);
    expect(() => parseDuration('7 days', '--keep-raw')).toThrow(/--keep-raw/);
  });
});

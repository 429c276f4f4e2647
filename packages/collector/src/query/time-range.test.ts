import { describe, expect, it } from 'vitest';
import { bucketStarts, ceilTo, floorTo, resolveRange, toClickHouseTime, toMillis } from './time-range';

const T = Date.parse('2024-03-07T15:42:10.123Z'); // a Thursday

describe('time ranges', () => {
  it('floors and ceils to UTC hours, days and Monday weeks', () => {
    expect(new Date(floorTo(T, 'hour')).toISOString()).toBe('2024-03-07T15:00:00.000Z');
    expect(new Date(ceilTo(T, 'hour')).toISOString()).toBe('2024-03-07T16:00:00.000Z');
    expect(new Date(floorTo(T, 'day')).toISOString()).toBe('2024-03-07T00:00:00.000Z');
    expect(new Date(ceilTo(T, 'day')).toISOString()).toBe('2024-03-08T00:00:00.000Z');
    expect(new Date(floorTo(T, 'week')).toISOString()).toBe('2024-03-04T00:00:00.000Z');
    expect(new Date(floorTo(Date.parse('2024-03-10T23:00:00Z'), 'week')).toISOString()).toBe('2024-03-04T00:00:00.000Z');
    expect(new Date(floorTo(Date.parse('2024-03-11T00:00:00Z'), 'week')).toISOString()).toBe('2024-03-11T00:00:00.000Z');
    expect(ceilTo(Date.parse('2024-03-07T00:00:00Z'), 'day')).toBe(Date.parse('2024-03-07T00:00:00Z'));
  });

  it('lists bucket starts and refuses absurd ranges', () => {
    const start = floorTo(T, 'day');
    expect(bucketStarts(start, start + 3 * 86_400_000, 'day')).toEqual([start, start + 86_400_000, start + 2 * 86_400_000]);
    expect(() => bucketStarts(0, 20_000 * 3_600_000, 'hour')).toThrow(/more than 10000/);
  });

  it('formats DateTime64(3) parameters in UTC', () => {
    expect(toClickHouseTime(T)).toBe('2024-03-07 15:42:10.123');
  });

  it('accepts Dates, epoch ms and ISO strings, defaulting to the last 30 days', () => {
    expect(toMillis(new Date(T), 'from')).toBe(T);
    expect(toMillis('2024-03-07T15:42:10.123Z', 'from')).toBe(T);
    expect(() => toMillis('yesterday', 'from')).toThrow(/from "yesterday" is not a time/);
    expect(resolveRange(undefined, undefined, T)).toEqual({ from: T - 30 * 86_400_000, to: T });
    expect(() => resolveRange(T, T - 1, T)).toThrow(/must be before/);
  });
});

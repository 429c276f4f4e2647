import { describe, expect, it } from 'vitest';
import { FUNNEL_UINT32_RANGE_MS, funnelClock, funnelSteps } from './funnel';

describe('funnelSteps', () => {
  it('turns actors per deepest level into cumulative counts and rates', () => {
    const rows = [
      { level: 1, actors: 5 },
      { level: 2, actors: 3 },
      { level: 3, actors: 2 },
    ];
    expect(funnelSteps(['a', 'b', 'c'], rows)).toEqual([
      { step: 'a', users: 10, conversion: 1, fromPrevious: 1 },
      { step: 'b', users: 5, conversion: 0.5, fromPrevious: 0.5 },
      { step: 'c', users: 2, conversion: 0.2, fromPrevious: 0.4 },
    ]);
  });

  it('answers zeros, not NaN, when nobody entered or a step is empty', () => {
    expect(funnelSteps(['a', 'b'], [])).toEqual([
      { step: 'a', users: 0, conversion: 0, fromPrevious: 1 },
      { step: 'b', users: 0, conversion: 0, fromPrevious: 0 },
    ]);
  });
});

describe('funnelClock', () => {
  it('counts milliseconds from the range start in a UInt32 while they fit, else epoch milliseconds', () => {
    expect(funnelClock('{p1:T}', 30 * 86_400_000)).toBe('toUInt32(toUnixTimestamp64Milli(timestamp) - toUnixTimestamp64Milli({p1:T}))');
    expect(funnelClock('{p1:T}', FUNNEL_UINT32_RANGE_MS)).toContain('toUInt32(');
    expect(funnelClock('{p1:T}', FUNNEL_UINT32_RANGE_MS + 1)).toBe('toUInt64(toUnixTimestamp64Milli(timestamp))');
  });
});

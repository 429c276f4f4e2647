import { describe, expect, it } from 'vitest';
import { retentionCohorts, retentionWindow } from './retention';

const DAY = 86_400_000;
const MONDAY = Date.parse('2024-03-04T00:00:00Z');

describe('retention', () => {
  const q = { start: 'a', returning: 'b', period: 'day' as const, periods: 2, from: MONDAY + 3_600_000, to: MONDAY + 2 * DAY - 1 };

  it('widens the range to whole periods and reads activity for `periods` more', () => {
    expect(retentionWindow(q)).toEqual({ start: MONDAY, end: MONDAY + 2 * DAY, until: MONDAY + 4 * DAY });
    expect(retentionWindow({ ...q, period: 'week', from: MONDAY + 3 * DAY, to: MONDAY + 4 * DAY })).toEqual({
      start: MONDAY,
      end: MONDAY + 7 * DAY,
      until: MONDAY + 21 * DAY,
    });
    expect(() => retentionWindow({ ...q, periods: -1 })).toThrow(/periods -1/);
  });

  it('zero-fills empty cohorts and marks periods that have not started as null', () => {
    const rows = [
      { cohort: '2024-03-04', k: -1, actors: 4 },
      { cohort: '2024-03-04', k: 0, actors: 4 },
      { cohort: '2024-03-04', k: 1, actors: 2 },
      { cohort: '2024-03-04', k: 2, actors: 1 }, // a clock ahead of `now`: still null
    ];
    const result = retentionCohorts(q, rows, MONDAY + DAY + 5);
    expect(result.cohorts).toEqual([
      { cohort: '2024-03-04', size: 4, retained: [4, 2, null], rates: [1, 0.5, null] },
      { cohort: '2024-03-05', size: 0, retained: [0, null, null], rates: [0, null, null] },
    ]);
  });
});

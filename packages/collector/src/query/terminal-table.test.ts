import { describe, expect, it } from 'vitest';
import { bar, funnelTable, renderTable, retentionTable, sparkline, topEventsTable, trendsTable } from './terminal-table';

describe('terminal tables', () => {
  it('draws bars to an eighth of a cell', () => {
    expect(bar(10, 10, 4)).toBe('████');
    expect(bar(5, 10, 4)).toBe('██');
    expect(bar(1, 10, 4)).toBe('▍'); // 3.2 eighths → 3
    expect(bar(1, 1000, 4)).toBe('▏'); // never invisible when non-zero
    expect(bar(0, 10, 4)).toBe('');
    expect(bar(5, 0, 4)).toBe('');
  });

  it('pads columns, right-aligning numbers', () => {
    expect(renderTable(['name', 'n'], [['a', '1'], ['long name', '1,000']], ['left', 'right'])).toBe(
      ['name           n', 'a              1', 'long name  1,000'].join('\n'),
    );
  });

  it('renders a funnel with users, rates and bars', () => {
    const text = funnelTable([
      { step: 'Signup Completed', users: 1000, conversion: 1, fromPrevious: 1 },
      { step: 'Activated', users: 500, conversion: 0.5, fromPrevious: 0.5 },
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^step\s+users\s+conversion\s+from previous$/);
    expect(lines[1]).toContain('1. Signup Completed');
    expect(lines[1]).toContain('1,000');
    expect(lines[1]).toContain('100.0%');
    expect(lines[1]).toContain('█'.repeat(30));
    expect(lines[2]).toContain('50.0%');
    expect(lines[2]).toContain('█'.repeat(15));
    expect(lines[2]).not.toContain('█'.repeat(16));
  });

  it('renders retention, sparklines and top events', () => {
    const text = retentionTable({
      period: 'week',
      periods: 1,
      cohorts: [{ cohort: '2024-03-04', size: 4, retained: [4, 1], rates: [1, 0.25] }],
    });
    expect(text).toContain('week 0');
    expect(text).toContain('100.0% █');
    expect(text).toContain('25.0% ▒');
    expect(sparkline([0, 1, 2, 4])).toBe('·▂▄█');
    const trends = trendsTable({
      interval: 'day',
      source: 'events_hourly',
      buckets: ['2024-03-04T00:00:00.000Z', '2024-03-05T00:00:00.000Z'],
      series: [
        { event: 'A', counts: [3, 1], total: 4 },
        { event: 'B', counts: [0, 2], total: 2 },
      ],
    });
    expect(trends).toMatch(/^A\s+4\s+█{20}\s+█▃$/m); // each sparkline scaled to its own series
    expect(trends).toMatch(/^B\s+2\s+█{10}\s+·█$/m);
    expect(trends).toContain('2 days, 2024-03-04 to 2024-03-05, read from events_hourly');
    expect(topEventsTable([{ event: 'A', count: 3, users: 2 }])).toContain('A           3      2  ' + '█'.repeat(30));
  });
});

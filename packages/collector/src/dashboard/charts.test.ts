import { describe, expect, it } from 'vitest';
import { CHART_SOURCE, funnelChart, liveChart, retentionGrid, trendsChart } from './charts';

const steps = [
  { step: 'Signup <Completed>', users: 10, conversion: 1, fromPrevious: 1 },
  { step: 'Activated', users: 6, conversion: 0.6, fromPrevious: 0.6 },
];

describe('SVG charts', () => {
  it('carry their numbers in the markup and escape names', () => {
    const svg = funnelChart(steps);
    expect(svg).toContain('data-step="Signup &#60;Completed&#62;" data-users="10"');
    expect(svg).toContain('>60.0%<');
    expect(svg).not.toContain('<Completed>');
    const live = liveChart([
      { time: '2024-03-04T10:00:00.000Z', count: 2 },
      { time: '2024-03-04T10:01:00.000Z', count: 0 },
    ]);
    expect(live).toContain('data-total="2"');
    expect(live.match(/<rect /g)).toHaveLength(2);
    expect(trendsChart(['2024-03-04', '2024-03-05'], [{ event: 'A', counts: [1, 3], total: 4 }])).toContain('data-event="A" data-total="4"');
    expect(trendsChart([], [])).toContain('data-empty="true"');
    expect(retentionGrid(null)).toContain('No retention configured');
    const grid = retentionGrid({
      period: 'day',
      cohorts: [
        { cohort: '2024-03-04', size: 4, rates: [1, 0.25, null] },
        { cohort: '2024-03-05', size: 0, rates: [0, null, null] },
      ],
    });
    expect(grid).toContain('data-cohort="2024-03-04" data-size="4"');
    expect(grid).not.toContain('2024-03-05');
    expect(grid.match(/data-k=/g)).toHaveLength(2);
  });

  it('ship to the browser as self-contained JavaScript that draws the same SVG', () => {
    const charts = new Function(`${CHART_SOURCE}\nreturn charts;`)() as Record<string, (...args: unknown[]) => string>;
    expect(charts.funnel?.(steps)).toBe(funnelChart(steps));
    const points = [{ time: '2024-03-04T10:00:00.000Z', count: 7 }];
    expect(charts.live?.(points)).toBe(liveChart(points));
    const series = [{ event: 'A', counts: [1, 3], total: 4 }];
    expect(charts.trends?.(['x', 'y'], series)).toBe(trendsChart(['x', 'y'], series));
    expect(charts.retention?.(null)).toBe(retentionGrid(null));
  });
});

import { describe, expect, it } from 'vitest';
import { questionRange } from './question-range';

const NOW = Date.parse('2024-03-14T15:30:00Z');
const iso = (r: { from: number; to: number }) => [new Date(r.from).toISOString(), new Date(r.to).toISOString()];

describe('question range', () => {
  it('counts whole UTC days: since ends with today, from rounds down, to rounds up', () => {
    expect(iso(questionRange({ since: '14d' }, NOW))).toEqual(['2024-03-01T00:00:00.000Z', '2024-03-15T00:00:00.000Z']);
    expect(iso(questionRange({}, NOW))).toEqual(['2024-02-14T00:00:00.000Z', '2024-03-15T00:00:00.000Z']);
    expect(iso(questionRange({ from: '2024-03-02T17:00:00Z', to: '2024-03-05T01:00:00Z' }, NOW))).toEqual(['2024-03-02T00:00:00.000Z', '2024-03-06T00:00:00.000Z']);
    expect(iso(questionRange({ from: '2024-03-02', to: '2024-03-05' }, NOW))).toEqual(['2024-03-02T00:00:00.000Z', '2024-03-05T00:00:00.000Z']);
  });

  it('says what to fix', () => {
    expect(() => questionRange({ since: '7d', from: '2024-03-01' }, NOW)).toThrow(/either since .* or from/);
    expect(() => questionRange({ since: 'a week' }, NOW)).toThrow(/not a duration/);
    expect(() => questionRange({ from: '2024-03-05', to: '2024-03-05' }, NOW)).toThrow(/must be before to/);
    expect(() => questionRange({ from: 'yesterday' }, NOW)).toThrow(/not a time/);
  });
});

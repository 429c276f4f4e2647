import { QUERY_DEFAULTS } from './defaults';
import type { FunnelStep, RetentionResult, TopEvent, TrendsResult } from './types';

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A unicode bar `width` cells long at `max`, drawn to an eighth of a cell. */
export function bar(value: number, max: number, width: number = QUERY_DEFAULTS.barWidth): string {
  if (!(max > 0) || !(value > 0)) return '';
  const eighths = Math.max(1, Math.round((Math.min(value, max) / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

export type Align = 'left' | 'right';

/** Columns padded to their widest cell; the last column is never padded on the right. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, align: readonly Align[] = []): string {
  const widths = headers.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...cell].length));
        if (align[i] === 'right') return pad + cell;
        return i === cells.length - 1 ? cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatPercent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

export function funnelTable(steps: readonly FunnelStep[]): string {
  const max = steps[0]?.users ?? 0;
  return renderTable(
    ['step', 'users', 'conversion', 'from previous', ''],
    steps.map((s, i) => [
      `${i + 1}. ${s.step}`,
      formatCount(s.users),
      formatPercent(s.conversion),
      i === 0 ? '' : formatPercent(s.fromPrevious),
      bar(s.users, max),
    ]),
    ['left', 'right', 'right', 'right', 'left'],
  );
}

export function retentionTable(result: RetentionResult): string {
  const label = result.period === 'day' ? 'day' : 'week';
  const headers = ['cohort', 'users', ...Array.from({ length: result.periods + 1 }, (_, k) => `${label} ${k}`)];
  return renderTable(
    headers,
    result.cohorts.map((c) => [
      c.cohort,
      formatCount(c.size),
      ...c.rates.map((rate) => (rate === null ? '' : c.size === 0 ? '-' : `${formatPercent(rate)} ${shade(rate)}`)),
    ]),
    headers.map((_, i) => (i === 0 ? 'left' : 'right')),
  );
}

/** One block whose density shows a rate, for retention cells. */
function shade(rate: number): string {
  if (rate <= 0) return ' ';
  return rate >= 0.75 ? '█' : rate >= 0.5 ? '▓' : rate >= 0.25 ? '▒' : '░';
}

/** Totals per series with a bar, then a sparkline over the buckets (· for none). */
export function trendsTable(result: TrendsResult): string {
  const max = Math.max(0, ...result.series.map((s) => s.total));
  const hasBreakdown = result.series.some((s) => s.breakdown !== undefined);
  const hasUsers = result.series.some((s) => s.users !== undefined);
  const headers = hasBreakdown ? ['event', 'breakdown', 'events', '', `per ${result.interval}`] : ['event', 'events', '', `per ${result.interval}`];
  if (hasUsers) headers.push(`users per ${result.interval}`);
  const rows = result.series.map((s) => {
    const cells = [s.event, formatCount(s.total), bar(s.total, max, 20), sparkline(s.counts)];
    if (hasBreakdown) cells.splice(1, 0, s.breakdown === '' ? '(none)' : (s.breakdown ?? ''));
    if (hasUsers) cells.push(sparkline(s.users ?? []));
    return cells;
  });
  const align: Align[] = hasBreakdown ? ['left', 'left', 'right', 'left', 'left'] : ['left', 'right', 'left', 'left'];
  if (hasUsers) align.push('left');
  const label = (iso: string | undefined): string => (result.interval === 'day' ? (iso ?? '').slice(0, 10) : (iso ?? '').slice(0, 13).replace('T', ' ') + ':00Z');
  const span = `${label(result.buckets[0])} to ${label(result.buckets[result.buckets.length - 1])}`;
  return `${renderTable(headers, rows, align)}\n\n${result.buckets.length} ${result.interval}s, ${span}, read from ${result.source}`;
}

const SPARKS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 || v <= 0 ? '·' : SPARKS[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}

export function topEventsTable(events: readonly TopEvent[]): string {
  const max = events[0]?.count ?? 0;
  return renderTable(
    ['event', 'events', 'users', ''],
    events.map((e) => [e.event, formatCount(e.count), formatCount(e.users), bar(e.count, max)]),
    ['left', 'right', 'right', 'left'],
  );
}

/**
 * SVG charts as strings. The page renders them on the server and ships these same functions to the
 * browser (`CHART_SOURCE`) to redraw on each poll, so every function here must stay self-contained:
 * plain JavaScript once types are stripped, referring only to its arguments and to the other
 * functions in this file.
 */

export interface LivePoint {
  /** Minute start, ISO. */
  time: string;
  count: number;
}

export interface SeriesView {
  event: string;
  counts: number[];
  total: number;
}

export interface FunnelView {
  step: string;
  users: number;
  conversion: number;
  fromPrevious: number;
}

export interface RetentionView {
  period: string;
  cohorts: Array<{ cohort: string; size: number; rates: Array<number | null> }>;
}

export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function pct(rate: number): string {
  return (Math.round(rate * 1000) / 10).toFixed(1) + '%';
}

export function emptyChart(name: string, message: string): string {
  return '<svg data-chart="' + esc(name) + '" data-empty="true" viewBox="0 0 720 60" width="100%" role="img">'
    + '<text x="360" y="34" text-anchor="middle" class="muted">' + esc(message) + '</text></svg>';
}

/** Events received per minute: 60 bars. */
export function liveChart(points: LivePoint[]): string {
  const w = 720, h = 150, top = 18, bottom = 20;
  const max = Math.max(1, ...points.map((p) => p.count));
  const total = points.reduce((sum, p) => sum + p.count, 0);
  const step = w / Math.max(1, points.length);
  let bars = '';
  points.forEach((p, i) => {
    const bh = Math.round(((h - top - bottom) * p.count) / max);
    const label = p.time.slice(11, 16) + ' UTC: ' + fmt(p.count) + ' events';
    bars += '<rect class="bar" x="' + (i * step + 1).toFixed(1) + '" y="' + (h - bottom - bh) + '" width="' + Math.max(1, step - 2).toFixed(1)
      + '" height="' + bh + '" data-minute="' + esc(p.time) + '" data-count="' + p.count + '"><title>' + esc(label) + '</title></rect>';
  });
  const first = points[0], last = points[points.length - 1];
  return '<svg data-chart="live" data-total="' + total + '" viewBox="0 0 ' + w + ' ' + h + '" width="100%" role="img" aria-label="Events per minute, last hour">'
    + '<text x="0" y="12" class="muted">max ' + fmt(Math.max(0, ...points.map((p) => p.count))) + '/min</text>'
    + '<text x="' + w + '" y="12" text-anchor="end" class="total">' + fmt(total) + ' events in the last hour</text>'
    + bars
    + '<line x1="0" x2="' + w + '" y1="' + (h - bottom) + '" y2="' + (h - bottom) + '" class="axis"/>'
    + (first ? '<text x="0" y="' + (h - 4) + '" class="muted">' + esc(first.time.slice(11, 16)) + '</text>' : '')
    + (last ? '<text x="' + w + '" y="' + (h - 4) + '" text-anchor="end" class="muted">' + esc(last.time.slice(11, 16)) + ' UTC</text>' : '')
    + '</svg>';
}

export function palette(): string[] {
  return ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#b45309'];
}

/** One line per event over the buckets, with a legend of totals. */
export function trendsChart(buckets: string[], series: SeriesView[]): string {
  if (series.length === 0) return emptyChart('trends', 'No events in this range yet');
  const w = 720, h = 200, left = 8, right = 8, top = 10, bottom = 22;
  const colors = palette();
  const shown = series.slice(0, colors.length);
  const max = Math.max(1, ...shown.flatMap((s) => s.counts));
  const n = Math.max(1, buckets.length - 1);
  const x = (i: number) => left + ((w - left - right) * i) / n;
  const y = (v: number) => top + (h - top - bottom) * (1 - v / max);
  let lines = '';
  shown.forEach((s, si) => {
    const color = colors[si % colors.length];
    const pts = s.counts.map((v, i) => x(i).toFixed(1) + ',' + y(v).toFixed(1)).join(' ');
    lines += '<polyline fill="none" stroke="' + color + '" stroke-width="2" points="' + pts + '" data-series="' + esc(s.event) + '"/>';
    s.counts.forEach((v, i) => {
      lines += '<circle cx="' + x(i).toFixed(1) + '" cy="' + y(v).toFixed(1) + '" r="2.5" fill="' + color + '"><title>'
        + esc(s.event + ' ' + (buckets[i] || '').slice(0, 10) + ': ' + fmt(v)) + '</title></circle>';
    });
  });
  let legend = '';
  shown.forEach((s, si) => {
    const lx = (si % 4) * 180, ly = h + 18 + Math.floor(si / 4) * 18;
    legend += '<g class="legend" data-event="' + esc(s.event) + '" data-total="' + s.total + '"><rect x="' + lx + '" y="' + (ly - 9) + '" width="10" height="10" fill="'
      + colors[si % colors.length] + '"/><text x="' + (lx + 14) + '" y="' + ly + '">' + esc(s.event) + ' ' + fmt(s.total) + '</text></g>';
  });
  const rows = Math.ceil(shown.length / 4);
  return '<svg data-chart="trends" viewBox="0 0 ' + w + ' ' + (h + 8 + rows * 18) + '" width="100%" role="img" aria-label="Events per day">'
    + '<text x="' + left + '" y="' + (top + 2) + '" class="muted">' + fmt(max) + '</text>'
    + '<line x1="' + left + '" x2="' + (w - right) + '" y1="' + (h - bottom) + '" y2="' + (h - bottom) + '" class="axis"/>'
    + lines
    + '<text x="' + left + '" y="' + (h - 6) + '" class="muted">' + esc((buckets[0] || '').slice(0, 10)) + '</text>'
    + '<text x="' + (w - right) + '" y="' + (h - 6) + '" text-anchor="end" class="muted">' + esc((buckets[buckets.length - 1] || '').slice(0, 10)) + '</text>'
    + legend + '</svg>';
}

/** Horizontal bars, one per step, with users and conversion. */
export function funnelChart(steps: FunnelView[]): string {
  if (steps.length === 0) return emptyChart('funnel', 'No funnel configured: pass steps to createDashboard');
  const w = 720, row = 34, labelW = 230, barW = 330;
  const max = Math.max(1, steps[0] ? steps[0].users : 0);
  let body = '';
  steps.forEach((s, i) => {
    const y = i * row;
    const bw = Math.max(s.users > 0 ? 2 : 0, Math.round((barW * s.users) / max));
    const rate = i === 0 ? '' : ' · ' + pct(s.conversion) + ' of first · ' + pct(s.fromPrevious) + ' of previous';
    body += '<g class="step" data-step="' + esc(s.step) + '" data-users="' + s.users + '" data-conversion="' + s.conversion + '">'
      + '<text x="0" y="' + (y + 21) + '">' + esc(i + 1 + '. ' + s.step) + '</text>'
      + '<rect x="' + labelW + '" y="' + (y + 6) + '" width="' + barW + '" height="22" class="track"/>'
      + '<rect x="' + labelW + '" y="' + (y + 6) + '" width="' + bw + '" height="22" class="bar"/>'
      + '<text x="' + (labelW + barW + 10) + '" y="' + (y + 21) + '" class="value">' + fmt(s.users) + '</text>'
      + '<text x="' + (labelW + barW + 10 + 60) + '" y="' + (y + 21) + '" class="muted">' + esc(rate ? pct(s.conversion) : '100%') + '</text>'
      + '<title>' + esc(s.step + ': ' + fmt(s.users) + rate) + '</title></g>';
  });
  return '<svg data-chart="funnel" viewBox="0 0 ' + w + ' ' + steps.length * row + '" width="100%" role="img" aria-label="Funnel">' + body + '</svg>';
}

/** Non-empty cohorts by period: size, then one shaded cell per period offset (none for periods to come). */
export function retentionGrid(view: RetentionView | null): string {
  if (!view) return emptyChart('retention', 'No retention configured: pass retention to createDashboard');
  const cohorts = view.cohorts.filter((c) => c.size > 0);
  if (cohorts.length === 0) return emptyChart('retention', 'No cohorts in this range yet');
  const cell = 56, rowH = 24, left = 150;
  const periods = Math.max(0, ...cohorts.map((c) => c.rates.length));
  const w = left + periods * cell;
  let head = '<text x="0" y="16" class="muted">cohort · users</text>';
  for (let k = 0; k < periods; k++) {
    head += '<text x="' + (left + k * cell + cell / 2) + '" y="16" text-anchor="middle" class="muted">' + esc(view.period + ' ' + k) + '</text>';
  }
  let body = '';
  cohorts.forEach((c, r) => {
    const y = 24 + r * rowH;
    body += '<g class="cohort" data-cohort="' + esc(c.cohort) + '" data-size="' + c.size + '">'
      + '<text x="0" y="' + (y + 16) + '">' + esc(c.cohort) + ' · ' + fmt(c.size) + '</text>';
    c.rates.forEach((rate, k) => {
      if (rate === null) return;
      const x = left + k * cell;
      const alpha = c.size === 0 ? 0.04 : 0.08 + 0.85 * rate;
      body += '<rect x="' + (x + 1) + '" y="' + (y + 1) + '" width="' + (cell - 2) + '" height="' + (rowH - 2) + '" fill="#2563eb" fill-opacity="' + alpha.toFixed(2) + '"/>'
        + '<text x="' + (x + cell / 2) + '" y="' + (y + 16) + '" text-anchor="middle" data-k="' + k + '" class="' + (rate > 0.55 ? 'on' : '') + '">'
        + (c.size === 0 ? '–' : esc(pct(rate))) + '</text>';
    });
    body += '</g>';
  });
  const h = 24 + cohorts.length * rowH + 4;
  return '<svg data-chart="retention" viewBox="0 0 ' + w + ' ' + h + '" width="' + w + '" height="' + h + '" class="fit" role="img" aria-label="Retention">' + head + body + '</svg>';
}

/**
 * The functions above as browser JavaScript, with `charts.{live,trends,funnel,retention}`. The charts
 * are inlined as expressions and the helpers as declarations under whatever names the bundler gave
 * them; `__name` stands in for esbuild's keepNames helper. Should a consumer's bundler still break
 * this, the page keeps its server-rendered charts and only stops redrawing them.
 */
export const CHART_SOURCE: string = [
  'var __name = (fn) => fn;',
  ...[esc, fmt, pct, palette, emptyChart].map(String),
  `const charts = { live: ${String(liveChart)}, trends: ${String(trendsChart)}, funnel: ${String(funnelChart)}, retention: ${String(retentionGrid)} };`,
].join('\n');

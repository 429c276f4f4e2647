import type { FunnelStep, RetentionResult, TopEvent, TrendsResult } from '../query/types';
import type { LivePoint } from './charts';
import { CHART_SOURCE, esc, fmt, funnelChart, liveChart, retentionGrid, trendsChart } from './charts';

/** Each panel's data, or the message of the error that kept it from loading. */
export type Panel<T> = { ok: true; value: T } | { ok: false; message: string };

export interface PageData {
  title: string;
  basePath: string;
  project: string | undefined;
  days: number;
  live: Panel<LivePoint[]>;
  trends: Panel<TrendsResult>;
  funnel: Panel<FunnelStep[]>;
  retention: Panel<RetentionResult | null>;
  top: Panel<TopEvent[]>;
  /** Polling periods, milliseconds. */
  livePollMs: number;
  restPollMs: number;
}

function panel<T>(p: Panel<T>, render: (value: T) => string): string {
  return p.ok ? render(p.value) : `<p class="error">${esc(p.message)}</p>`;
}

function topTable(events: TopEvent[]): string {
  if (events.length === 0) return '<p class="muted">No events yet.</p>';
  const rows = events
    .map((e) => `<tr data-event="${esc(e.event)}"><td>${esc(e.event)}</td><td class="num">${fmt(e.count)}</td><td class="num">${fmt(e.users)}</td></tr>`)
    .join('');
  return `<table><thead><tr><th>event</th><th class="num">events</th><th class="num">users</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const STYLE = `
:root { color-scheme: light; --fg: #0f172a; --muted: #64748b; --line: #e2e8f0; --bar: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #f8fafc; }
header { display: flex; align-items: baseline; gap: 12px; padding: 16px 24px; border-bottom: 1px solid var(--line); background: #fff; }
header h1 { font-size: 18px; margin: 0; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; padding: 16px 24px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
h2 { font-size: 14px; margin: 0 0 10px; }
svg text { font: 12px system-ui, sans-serif; fill: var(--fg); }
svg.fit { max-width: 100%; height: auto; }
svg .muted, .muted { fill: var(--muted); color: var(--muted); }
svg .total, svg .value { font-weight: 600; }
svg .bar { fill: var(--bar); }
svg .track { fill: #eef2ff; }
svg .axis { stroke: var(--line); }
svg text.on { fill: #fff; }
table { width: 100%; border-collapse: collapse; }
td, th { padding: 4px 6px; border-bottom: 1px solid var(--line); text-align: left; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.error { color: #b91c1c; }
`;

/** The whole page: charts rendered here, then redrawn in the browser by the same functions. */
export function renderPage(data: PageData, nonce: string): string {
  const scope = data.project === undefined ? 'all projects' : `project ${data.project}`;
  const script = `(() => {
${CHART_SOURCE}
const base = ${JSON.stringify(data.basePath)};
const key = new URLSearchParams(location.search).get('key');
const get = async (name) => {
  const res = await fetch(base + '/api/' + name + (key ? '?key=' + encodeURIComponent(key) : ''), { cache: 'no-store' });
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || res.statusText);
  return body;
};
const show = async (id, name, render) => {
  const el = document.getElementById(id);
  try { el.innerHTML = render(await get(name)); el.dataset.state = 'ok'; }
  catch (error) { el.dataset.state = 'error'; el.title = String(error.message || error); }
};
const stamp = () => { document.getElementById('updated').textContent = 'updated ' + new Date().toISOString().slice(11, 19) + ' UTC'; };
const live = async () => { await show('live', 'live', (d) => charts.live(d.minutes)); stamp(); };
const rest = async () => {
  await Promise.all([
    show('trends', 'trends', (d) => charts.trends(d.buckets, d.series)),
    show('funnel', 'funnel', (d) => charts.funnel(d.steps)),
    show('retention', 'retention', (d) => charts.retention(d)),
  ]);
  stamp();
};
setInterval(live, ${data.livePollMs});
setInterval(rest, ${data.restPollMs});
})();`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${esc(data.title)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header><h1>${esc(data.title)}</h1><span class="muted">${esc(scope)} · last ${data.days} days</span><span class="muted" id="updated">rendered ${new Date().toISOString().slice(11, 19)} UTC</span></header>
<main>
<section><h2>Events per minute, last hour</h2><div id="live">${panel(data.live, liveChart)}</div></section>
<section><h2>Trends by event, per day</h2><div id="trends">${panel(data.trends, (t) => trendsChart(t.buckets, t.series))}</div></section>
<section><h2>Funnel</h2><div id="funnel">${panel(data.funnel, funnelChart)}</div></section>
<section><h2>Retention</h2><div id="retention">${panel(data.retention, retentionGrid)}</div></section>
<section><h2>Top events</h2><div id="top">${panel(data.top, topTable)}</div></section>
</main>
<script nonce="${nonce}">${script}</script>
</body>
</html>`;
}

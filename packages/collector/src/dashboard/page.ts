import type { EventNameInfo, QuarantineCount } from '../graphql/catalog-queries';
import type { FunnelStep, RetentionResult, TopEvent, TrendsResult } from '../query/types';
import type { LivePoint, SeriesView } from './charts';
import { CHART_SOURCE, esc, fmt, funnelChart, liveChart, retentionGrid, trendsChart } from './charts';
import type { ViewState } from './view-state';
import { COLUMN_BREAKDOWNS, MAX_FORM_STEPS, PERSON_KEYS, SINCE_PRESETS, WINDOW_PRESETS, viewQuery } from './view-state';

/** Each panel's data, or the message of the error that kept it from loading. */
export type Panel<T> = { ok: true; value: T } | { ok: false; message: string };

export interface PageData {
  title: string;
  basePath: string;
  /** The project shown, or undefined for every project. */
  project: string | undefined;
  /** Whether the read key may choose the project (it reads every project). */
  chooseProject: boolean;
  view: ViewState;
  /** The whole UTC days every panel counts. */
  range: Panel<{ from: number; to: number }>;
  names: Panel<EventNameInfo[]>;
  properties: Panel<string[]>;
  live: Panel<LivePoint[]>;
  trends: Panel<TrendsResult>;
  funnel: Panel<FunnelStep[]>;
  retention: Panel<RetentionResult | null>;
  top: Panel<TopEvent[]>;
  quarantine: Panel<QuarantineCount[]>;
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

function quarantineTable(rows: QuarantineCount[]): string {
  if (rows.length === 0) return '<p class="muted">Nothing rejected in this range.</p>';
  const body = rows
    .map((r) => `<tr data-reason="${esc(r.reason)}" data-count="${r.count}"><td>${esc(r.project)}</td><td>${esc(r.reason)}</td><td><code>${esc(r.path)}</code></td><td class="num">${fmt(r.count)}</td><td class="muted">${esc(r.last.slice(0, 16).replace('T', ' '))}</td></tr>`)
    .join('');
  return `<table><thead><tr><th>project</th><th>reason</th><th>path</th><th class="num">events</th><th>last</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** Series labels carry the breakdown value, so `Signup · google` and `Signup · (none)` read apart. */
export function seriesViews(trends: TrendsResult): SeriesView[] {
  return trends.series.map((s) => ({
    event: s.breakdown === undefined ? s.event : `${s.event} · ${s.breakdown === '' ? '(none)' : s.breakdown}`,
    counts: s.counts,
    total: s.total,
  }));
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function options(values: readonly string[], selected: string | undefined, labels: Record<string, string> = {}): string {
  const all = selected !== undefined && selected !== '' && !values.includes(selected) ? [selected, ...values] : values;
  return all.map((v) => `<option value="${esc(v)}"${v === selected ? ' selected' : ''}>${esc(labels[v] ?? v)}</option>`).join('');
}

/** The one form of the page: GET, so the URL carries the view and works without JavaScript. */
function viewForm(data: PageData): string {
  const v = data.view;
  const names = data.names.ok ? data.names.value.map((n) => n.name) : [];
  const stepCount = Math.min(MAX_FORM_STEPS, Math.max(3, v.steps.length + 1));
  let steps = '';
  for (let i = 0; i < stepCount; i++) {
    steps += `<label>step ${i + 1}<select name="step" data-step-index="${i}"><option value="">—</option>${options(names, v.steps[i])}</select></label>`;
  }
  const props = data.properties.ok ? data.properties.value.filter((p) => !(COLUMN_BREAKDOWNS as readonly string[]).includes(p)) : [];
  const rangeText = data.range.ok ? `${day(data.range.value.from)} to ${day(data.range.value.to - 86_400_000)} (whole UTC days)` : '';
  return `<form method="get" action="${esc(data.basePath)}" id="view">
<fieldset><legend>Range</legend>
${data.chooseProject ? `<label>project<input name="project" value="${esc(data.project ?? '')}" placeholder="every project"></label>` : ''}
<label>last<select name="since">${options([...SINCE_PRESETS], v.from === undefined ? v.since : undefined)}</select></label>
<label>or from<input type="date" name="from" value="${esc(v.from ?? '')}"></label>
<label>to (exclusive)<input type="date" name="to" value="${esc(v.to ?? '')}"></label>
<span class="muted" id="range">${esc(rangeText)}</span>
</fieldset>
<fieldset><legend>Funnel</legend>${steps}
<label>window<select name="window">${options([...WINDOW_PRESETS], v.window)}</select></label>
<label>count<select name="by"><option value="">person (default)</option>${options(PERSON_KEYS.filter((k) => k !== 'person'), v.by === 'person' ? undefined : v.by)}</select></label>
</fieldset>
<fieldset><legend>Trends</legend>
<label>interval<select name="interval">${options(['day', 'hour'], v.interval)}</select></label>
<label>breakdown<select name="breakdown"><option value="">none</option>${options([...COLUMN_BREAKDOWNS, ...props], v.breakdown)}</select></label>
</fieldset>
<fieldset><legend>Retention</legend>
<label>start<select name="start"><option value="">—</option>${options(names, v.start)}</select></label>
<label>returning<select name="returning"><option value="">—</option>${options(names, v.returning)}</select></label>
<label>period<select name="period">${options(['day', 'week'], v.period)}</select></label>
</fieldset>
<button type="submit">Show</button> <a href="${esc(data.basePath)}" class="muted">reset</a>
</form>`;
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
form#view { display: flex; flex-wrap: wrap; gap: 10px; padding: 12px 24px; background: #fff; border-bottom: 1px solid var(--line); align-items: flex-end; }
fieldset { border: 1px solid var(--line); border-radius: 6px; display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-end; padding: 6px 10px; margin: 0; }
legend { font-weight: 600; font-size: 12px; }
label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
select, input, button { font: inherit; color: var(--fg); padding: 3px 6px; border: 1px solid #cbd5e1; border-radius: 4px; background: #fff; }
button { background: var(--bar); color: #fff; border-color: var(--bar); cursor: pointer; padding: 5px 14px; }
header form { margin-left: auto; }
header form button { background: #fff; color: var(--muted); border-color: var(--line); }
main.login { display: block; max-width: 420px; margin: 10vh auto; }
`;

/** The whole page: charts rendered here; the script only redraws them in place on a timer. */
export function renderPage(data: PageData, nonce: string): string {
  const scope = data.project === undefined ? 'all projects' : `project ${data.project}`;
  const query = viewQuery(data.view);
  const script = `(() => {
${CHART_SOURCE}
const base = ${JSON.stringify(data.basePath)};
const query = ${JSON.stringify(query)};
const get = async (name) => {
  const res = await fetch(base + '/api/' + name + '?' + query, { cache: 'no-store', credentials: 'same-origin' });
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || res.statusText);
  return body;
};
const show = async (id, name, render) => {
  const el = document.getElementById(id);
  try { el.innerHTML = render(await get(name)); el.dataset.state = 'ok'; }
  catch (error) { el.dataset.state = 'error'; el.title = String(error.message || error); }
};
const label = (s) => s.breakdown === undefined ? s.event : s.event + ' · ' + (s.breakdown === '' ? '(none)' : s.breakdown);
const stamp = () => { document.getElementById('updated').textContent = 'updated ' + new Date().toISOString().slice(11, 19) + ' UTC'; };
const live = async () => { await show('live', 'live', (d) => charts.live(d.minutes)); stamp(); };
const rest = async () => {
  await Promise.all([
    show('trends', 'trends', (d) => charts.trends(d.buckets, d.series.map((s) => ({ event: label(s), counts: s.counts, total: s.total })))),
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
<header><h1>${esc(data.title)}</h1><span class="muted">${esc(scope)}</span><span class="muted" id="updated">rendered ${new Date().toISOString().slice(11, 19)} UTC</span>
<form method="post" action="${esc(data.basePath)}/logout"><button type="submit">Log out</button></form></header>
${viewForm(data)}
<main>
<section><h2>Events received per minute, last hour</h2><div id="live">${panel(data.live, liveChart)}</div></section>
<section><h2>Trends by event, per ${esc(data.view.interval)}${data.view.breakdown ? ` × ${esc(data.view.breakdown)}` : ''}</h2><div id="trends">${panel(data.trends, (t) => trendsChart(t.buckets, seriesViews(t)))}</div></section>
<section><h2>Funnel${data.view.steps.length > 0 ? `, window ${esc(data.view.window)}` : ''}</h2><div id="funnel">${panel(data.funnel, funnelChart)}</div></section>
<section><h2>Retention</h2><div id="retention">${panel(data.retention, retentionGrid)}</div></section>
<section><h2>Top events</h2><div id="top">${panel(data.top, topTable)}</div></section>
<section><h2>Quarantine: rejected events per reason</h2><div id="quarantine">${panel(data.quarantine, quarantineTable)}</div></section>
</main>
<script nonce="${nonce}">${script}</script>
</body>
</html>`;
}

/** The login form: the read key goes in a POST body, then lives in an HttpOnly cookie, never in a URL. */
export function renderLogin(data: { title: string; basePath: string; next: string; message?: string }, nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${esc(data.title)}: log in</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main class="login"><section>
<h2>${esc(data.title)}</h2>
${data.message ? `<p class="error" id="login-error">${esc(data.message)}</p>` : ''}
<form method="post" action="${esc(data.basePath)}/login">
<label>Read key (given to <code>--read-key</code>, not a write key)<input type="password" name="key" autocomplete="current-password" required autofocus></label>
<input type="hidden" name="next" value="${esc(data.next)}">
<p><button type="submit">Log in</button></p>
</form>
</section></main>
</body>
</html>`;
}

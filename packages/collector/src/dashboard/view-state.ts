import type { PersonKey } from '../graphql/answers';
import type { RangeArgs } from '../graphql/question-range';
import type { RetentionPeriod, TrendInterval } from '../query/types';

/** What a dashboard view asks; all of it travels in the URL's query string, so a view can be shared. */
export interface ViewState {
  /** Set only when the read key reads every project. */
  project?: string;
  /** A preset such as `14d`; ignored when `from` is set. */
  since?: string;
  /** `YYYY-MM-DD`, inclusive; `to` exclusive. */
  from?: string;
  to?: string;
  steps: string[];
  window: string;
  by?: PersonKey;
  interval: TrendInterval;
  breakdown?: string;
  start?: string;
  returning?: string;
  period: RetentionPeriod;
}

/** What the page offers in its selects, and what a view starts from when the URL says nothing. */
export interface ViewDefaults {
  project?: string;
  since: string;
  steps: readonly string[];
  window: string;
  retention?: { start: string; returning: string; period: RetentionPeriod };
}

export const SINCE_PRESETS = ['1d', '7d', '14d', '30d', '90d'] as const;
export const WINDOW_PRESETS = ['1h', '1d', '7d', '14d', '30d'] as const;
export const PERSON_KEYS: readonly PersonKey[] = ['person', 'distinct_id', 'user_id', 'anonymous_id', 'session_id'];
export const COLUMN_BREAKDOWNS = ['utm_source', 'utm_medium', 'utm_campaign', 'page_path'] as const;
/** Funnel step selects shown at most (windowFunnel takes 32, a form gets unwieldy long before). */
export const MAX_FORM_STEPS = 8;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const clean = (value: string | null): string | undefined => {
  const text = value?.trim();
  return text ? text.slice(0, 200) : undefined;
};

/** Reads a view from the query string; anything missing or malformed falls back to the defaults. */
export function parseViewState(params: URLSearchParams, defaults: ViewDefaults): ViewState {
  const from = clean(params.get('from'));
  const to = clean(params.get('to'));
  const asked = params.getAll('step').map((s) => s.trim()).filter((s) => s.length > 0).slice(0, MAX_FORM_STEPS);
  const by = clean(params.get('by'));
  const start = clean(params.get('start')) ?? defaults.retention?.start;
  const returning = clean(params.get('returning')) ?? defaults.retention?.returning;
  return {
    project: clean(params.get('project')) ?? defaults.project,
    since: clean(params.get('since')) ?? defaults.since,
    from: from && DATE.test(from) ? from : undefined,
    to: to && DATE.test(to) ? to : undefined,
    steps: params.has('step') ? asked : [...defaults.steps],
    window: clean(params.get('window')) ?? defaults.window,
    by: PERSON_KEYS.includes(by as PersonKey) ? (by as PersonKey) : undefined,
    interval: params.get('interval') === 'hour' ? 'hour' : 'day',
    breakdown: clean(params.get('breakdown')),
    start,
    returning,
    period: params.get('period') === 'week' ? 'week' : params.get('period') === 'day' ? 'day' : (defaults.retention?.period ?? 'day'),
  };
}

/** The query string of a view: what the form submits and what the page's script polls with. */
export function viewQuery(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.project !== undefined) params.set('project', state.project);
  if (state.from !== undefined) {
    params.set('from', state.from);
    if (state.to !== undefined) params.set('to', state.to);
  } else if (state.since !== undefined) params.set('since', state.since);
  for (const step of state.steps) params.append('step', step);
  params.set('window', state.window);
  if (state.by !== undefined) params.set('by', state.by);
  params.set('interval', state.interval);
  if (state.breakdown !== undefined) params.set('breakdown', state.breakdown);
  if (state.start !== undefined) params.set('start', state.start);
  if (state.returning !== undefined) params.set('returning', state.returning);
  params.set('period', state.period);
  return params.toString();
}

/** The range arguments of every panel's question: one definition, whole UTC days. */
export function viewRange(state: ViewState): RangeArgs {
  return state.from !== undefined ? { from: state.from, to: state.to } : { since: state.since };
}

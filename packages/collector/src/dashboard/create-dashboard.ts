import type { AnyTaxonomy, EventName } from '@sluice/schema';
import type { CollectorErrorCode } from '../errors';
import { CollectorError, STATUS_BY_CODE } from '../errors';
import { createAnswerCache } from '../graphql/answer-cache';
import { createAnswers, type Answers } from '../graphql/answers';
import { ALL_PROJECTS, createReadKeyStore, type ReadGrant, type ReadKeys, type ReadKeyStore } from '../http/read-keys';
import type { QueryClient, QueryInfo, RetentionPeriod } from '../query/types';
import type { Panel } from './page';
import { renderLogin, renderPage } from './page';
import { clearedCookie, isSecure, requestGrant, sessionCookie } from './session';
import { parseViewState, viewRange, type ViewDefaults, type ViewState } from './view-state';
import { QUERY_DEFAULTS } from '../query/defaults';

/** Every default of the dashboard, in one place. */
export const DASHBOARD_DEFAULTS = {
  basePath: '/dashboard',
  title: 'Sluice',
  /** Whole UTC days the panels count when the URL names no range (today included). */
  days: 14,
  retentionPeriod: 'day' as RetentionPeriod,
  retentionPeriods: 7,
  topEvents: 10,
  /** Minutes of the live panel (events by received time). */
  liveMinutes: 60,
  livePollMs: 10_000,
  restPollMs: 60_000,
  /** Bytes of a login form body. */
  maxLoginBytes: 4096,
} as const;

export interface DashboardOptions<T = unknown> {
  client: QueryClient;
  database?: string;
  /** The project shown to a read key that reads every project, until the form picks another. */
  project?: string;
  /** One read key: it reads `project` when set, else every project. At least 8 characters, never a write key. */
  readKey?: string;
  /** Read keys → the project each reads (`'*'` for every project). */
  readKeys?: ReadKeys;
  /** Write keys of the same collector, to refuse a read key equal to one of them. */
  writeKeys?: readonly string[];
  /** Funnel steps a view starts with, in order. */
  steps?: readonly EventName<T>[];
  /** Funnel window a view starts with: `'7d'`-style. */
  window?: string;
  retention?: { start: EventName<T>; returning: EventName<T>; period?: RetentionPeriod; periods?: number };
  /** Whole UTC days a view starts with. */
  days?: number;
  /** Where the collector mounts the page; `/dashboard` by default. */
  basePath?: string;
  title?: string;
  taxonomy?: AnyTaxonomy;
  now?: () => number;
  onQuery?: (info: QueryInfo) => void;
  /** How often the page refreshes the live chart and the others, in milliseconds. */
  livePollMs?: number;
  restPollMs?: number;
}

/** What the collector shares with its dashboard: the cached answers of its query API and its read keys. */
export interface DashboardInternals {
  answers: Answers;
  keys: ReadKeyStore;
}

function json(status: number, body: unknown, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra },
  });
}

function failure(code: CollectorErrorCode, message: string, extra: Record<string, string> = {}): Response {
  return json(STATUS_BY_CODE[code], { success: false, code, message }, extra);
}

function nonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

async function settle<T>(promise: Promise<T>): Promise<Panel<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function html(status: number, body: string | null, n: string, extra: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${n}'; style-src 'nonce-${n}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
      ...extra,
    },
  });
}

function redirect(location: string, cookie?: string): Response {
  const headers: Record<string, string> = { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };
  if (cookie) headers['set-cookie'] = cookie;
  return new Response(null, { status: 303, headers });
}

/** Only a query string of this dashboard may follow a login, never another site. */
function safeNext(basePath: string, next: string | undefined): string {
  const query = (next ?? '').replace(/^\?/, '');
  return /^[^#\\\s]*$/.test(query) && query.length < 4000 ? `${basePath}${query ? `?${query}` : ''}` : basePath;
}

function withoutKey(url: URL): string {
  const params = new URLSearchParams(url.search);
  params.delete('key');
  const rest = params.toString();
  return `${url.pathname}${rest ? `?${rest}` : ''}`;
}

/**
 * The dashboard as a Fetch handler. `GET {basePath}` serves one HTML page whose form (a GET, so the
 * URL carries the view and can be shared) chooses the funnel, range, breakdown and retention;
 * `GET {basePath}/api/{live,trends,funnel,retention,top,quarantine}` serve the JSON the page polls.
 * A read key is required: `Authorization: Bearer`, or the HttpOnly cookie set by the login form
 * (`POST {basePath}/login`), so the key never travels in a URL.
 */
export function createDashboard<T = unknown>(options: DashboardOptions<T>, internals?: DashboardInternals): (request: Request) => Promise<Response> {
  const keys = internals?.keys ?? createReadKeyStore(readKeysOf(options), options.writeKeys);
  if (keys.size === 0) throw new CollectorError('config', 'the dashboard needs a read key: set dashboard.readKey (or readKeys / --read-key KEY=PROJECT)');
  const basePath = (options.basePath ?? DASHBOARD_DEFAULTS.basePath).replace(/\/+$/, '');
  const days = options.days ?? DASHBOARD_DEFAULTS.days;
  if (!Number.isInteger(days) || days < 1 || days > 365) throw new CollectorError('config', `dashboard days ${days} must be a whole number from 1 to 365`);
  const now = options.now ?? Date.now;
  const answers =
    internals?.answers ??
    createAnswers({ client: options.client, database: options.database, taxonomy: options.taxonomy, now, onQuery: options.onQuery, cache: createAnswerCache({ now }) });
  const defaults: ViewDefaults = {
    project: options.project,
    since: `${days}d`,
    steps: options.steps ?? [],
    window: String(options.window ?? QUERY_DEFAULTS.funnelWindow),
    retention: options.retention
      ? { start: options.retention.start, returning: options.retention.returning, period: options.retention.period ?? DASHBOARD_DEFAULTS.retentionPeriod }
      : undefined,
  };
  const periods = options.retention?.periods ?? DASHBOARD_DEFAULTS.retentionPeriods;

  /** The project a view reads: the key's own, or (for a key of every project) the one the view names. */
  const projectOf = (grant: ReadGrant, view: ViewState): string | undefined => grant.project ?? view.project;

  const panels = {
    live: async (project: string | undefined) => ({ minutes: await answers.live(project, DASHBOARD_DEFAULTS.liveMinutes) }),
    trends: (project: string | undefined, view: ViewState) => answers.trends(project, { ...viewRange(view), interval: view.interval, breakdown: view.breakdown }),
    funnel: async (project: string | undefined, view: ViewState) => ({
      steps: view.steps.length > 0 ? await answers.funnel(project, { ...viewRange(view), steps: view.steps, window: view.window, by: view.by }) : [],
    }),
    retention: async (project: string | undefined, view: ViewState) =>
      view.start && view.returning
        ? answers.retention(project, { ...viewRange(view), start: view.start, returning: view.returning, period: view.period, periods, by: view.by })
        : null,
    top: async (project: string | undefined, view: ViewState) => ({ events: await answers.topEvents(project, { ...viewRange(view), limit: DASHBOARD_DEFAULTS.topEvents }) }),
    quarantine: async (project: string | undefined, view: ViewState) => ({ rows: await answers.quarantine(project, viewRange(view)) }),
  };
  type PanelName = keyof typeof panels;
  const title = options.title ?? DASHBOARD_DEFAULTS.title;

  const login = async (request: Request, url: URL): Promise<Response> => {
    const length = Number(request.headers.get('content-length') ?? 0);
    const text = length > DASHBOARD_DEFAULTS.maxLoginBytes ? '' : (await request.text()).slice(0, DASHBOARD_DEFAULTS.maxLoginBytes);
    const form = new URLSearchParams(text);
    const key = form.get('key') ?? '';
    const next = form.get('next') ?? '';
    if (!keys.lookup(key)) {
      const message = keys.isWriteKey(key)
        ? 'That is a write key; write keys never read. Enter a read key (--read-key).'
        : 'That read key is unknown to this collector. Enter a key given to --read-key (or --dashboard-key).';
      const n = nonce();
      return html(401, renderLogin({ title, basePath, next, message }, n), n);
    }
    return redirect(safeNext(basePath, next), sessionCookie(keys.sessionValue(key), basePath, isSecure(request, url)));
  };

  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== basePath && !path.startsWith(`${basePath}/`)) {
      return failure('not_found', `no dashboard route at ${url.pathname}: the dashboard lives at ${basePath}`);
    }
    const rest = path.slice(basePath.length);
    const method = request.method.toUpperCase();
    if (rest === '/login' && method === 'POST') return login(request, url);
    if (rest === '/logout' && method === 'POST') return redirect(basePath, clearedCookie(basePath, isSecure(request, url)));
    if (method !== 'GET' && method !== 'HEAD') {
      return failure('method_not_allowed', `the dashboard is read-only: use GET ${basePath} (POST only to ${basePath}/login and /logout)`, { allow: 'GET, HEAD' });
    }
    // A link with ?key= (as printed by older versions) logs in once and drops the key from the URL.
    const fromQuery = url.searchParams.get('key');
    if (fromQuery !== null && rest === '' && keys.lookup(fromQuery)) {
      return redirect(withoutKey(url), sessionCookie(keys.sessionValue(fromQuery), basePath, isSecure(request, url)));
    }
    const grant = requestGrant(request, keys);
    if (!grant) {
      if (rest === '') {
        const n = nonce();
        const message = fromQuery !== null ? 'That key is not a read key of this collector.' : undefined;
        return html(401, request.method === 'HEAD' ? null : renderLogin({ title, basePath, next: withoutKey(url).slice(url.pathname.length).replace(/^\?/, ''), message }, n), n, {
          'www-authenticate': 'Bearer realm="sluice-dashboard"',
        });
      }
      return failure('unauthorized', `the dashboard needs a read key: log in at ${basePath}, or send Authorization: Bearer <read key> (a key given to --read-key, not a write key)`, {
        'www-authenticate': 'Bearer realm="sluice-dashboard"',
      });
    }
    const view = parseViewState(url.searchParams, defaults);
    const project = projectOf(grant, view);
    if (grant.project !== undefined) view.project = undefined;
    if (rest === '') {
      const [range, names, properties, live, trends, funnel, retention, top, quarantine] = await Promise.all([
        settle((async () => answers.range(viewRange(view)))()),
        settle(answers.eventNames(project, viewRange(view))),
        settle(answers.properties(project, viewRange(view))),
        settle(panels.live(project).then((d) => d.minutes)),
        settle(panels.trends(project, view)),
        settle(panels.funnel(project, view).then((d) => d.steps)),
        settle(panels.retention(project, view)),
        settle(panels.top(project, view).then((d) => d.events)),
        settle(panels.quarantine(project, view).then((d) => d.rows)),
      ]);
      const n = nonce();
      const page = renderPage(
        {
          title,
          basePath,
          project,
          chooseProject: grant.project === undefined,
          view,
          range,
          names,
          properties,
          live,
          trends,
          funnel,
          retention,
          top,
          quarantine,
          livePollMs: Math.max(250, options.livePollMs ?? DASHBOARD_DEFAULTS.livePollMs),
          restPollMs: Math.max(250, options.restPollMs ?? DASHBOARD_DEFAULTS.restPollMs),
        },
        n,
      );
      return html(200, request.method === 'HEAD' ? null : page, n);
    }
    const name = /^\/api\/([a-z]+)$/.exec(rest)?.[1];
    if (name === undefined || !Object.hasOwn(panels, name)) {
      return failure('not_found', `no dashboard route at ${url.pathname}: the API has ${Object.keys(panels).map((p) => `${basePath}/api/${p}`).join(', ')}`);
    }
    try {
      return json(200, await panels[name as PanelName](project, view));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return failure(error instanceof CollectorError ? error.code : 'internal', message);
    }
  };
}

function readKeysOf(options: Pick<DashboardOptions, 'readKey' | 'readKeys' | 'project'>): ReadKeys {
  const keys: ReadKeys = { ...options.readKeys };
  if (options.readKey !== undefined) {
    if (typeof options.readKey !== 'string') throw new CollectorError('config', 'dashboard.readKey must be a string of at least 8 characters');
    keys[options.readKey] = options.project ?? ALL_PROJECTS;
  }
  return keys;
}

import type { EventName } from '@sluice/schema';
import { DEFAULTS } from '../defaults';
import type { CollectorErrorCode } from '../errors';
import { CollectorError, STATUS_BY_CODE } from '../errors';
import { createQueries } from '../query/create-queries';
import { checkDatabase } from '../query/sql';
import type { QueryClient, QueryInfo, RetentionPeriod } from '../query/types';
import { liveEvents } from './live-events';
import type { Panel } from './page';
import { renderPage } from './page';
import { presentedKey, sameKey } from './read-key';

/** Every default of the dashboard, in one place. */
export const DASHBOARD_DEFAULTS = {
  basePath: '/dashboard',
  title: 'Sluice',
  /** Days the trends, funnel, retention and top events look back. */
  days: 14,
  funnelWindow: '7d',
  retentionPeriod: 'day' as RetentionPeriod,
  retentionPeriods: 7,
  topEvents: 10,
  livePollMs: 10_000,
  restPollMs: 60_000,
  minReadKeyLength: 8,
} as const;

export interface DashboardOptions<T = unknown> {
  client: QueryClient;
  database?: string;
  project?: string;
  /** Required to see anything: `?key=` or `Authorization: Bearer`. Must differ from every write key. */
  readKey: string;
  /** Write keys of the same collector, to refuse a read key equal to one of them. */
  writeKeys?: readonly string[];
  /** Funnel steps, in order. */
  steps?: readonly EventName<T>[];
  /** Funnel window: milliseconds or `'7d'`-style. */
  window?: number | string;
  retention?: { start: EventName<T>; returning: EventName<T>; period?: RetentionPeriod; periods?: number };
  days?: number;
  /** Where the collector mounts the page; `/dashboard` by default. */
  basePath?: string;
  title?: string;
  now?: () => number;
  onQuery?: (info: QueryInfo) => void;
  /** How often the page refreshes the live chart and the others, in milliseconds. */
  livePollMs?: number;
  restPollMs?: number;
}

const DAY = 86_400_000;

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

/**
 * The dashboard as a Fetch handler: `GET {basePath}` serves one HTML page with SVG charts, and
 * `GET {basePath}/api/{live,trends,funnel,retention,top}` the JSON it polls. Mount it only when a
 * read key is configured; every route answers 401 without that key.
 */
export function createDashboard<T = unknown>(options: DashboardOptions<T>): (request: Request) => Promise<Response> {
  const readKey = options.readKey;
  if (typeof readKey !== 'string' || readKey.length < DASHBOARD_DEFAULTS.minReadKeyLength) {
    throw new CollectorError('config', `the dashboard read key must be at least ${DASHBOARD_DEFAULTS.minReadKeyLength} characters: set dashboard.readKey`);
  }
  if (options.writeKeys?.includes(readKey)) {
    throw new CollectorError('config', 'the dashboard read key is also a write key: choose a separate read key, so that SDKs never carry it');
  }
  const basePath = (options.basePath ?? DASHBOARD_DEFAULTS.basePath).replace(/\/+$/, '');
  const days = options.days ?? DASHBOARD_DEFAULTS.days;
  if (!Number.isInteger(days) || days < 1 || days > 365) throw new CollectorError('config', `dashboard days ${days} must be a whole number from 1 to 365`);
  const database = checkDatabase(options.database ?? DEFAULTS.database);
  const now = options.now ?? Date.now;
  const queries = createQueries<T>({ client: options.client, database, project: options.project, now, onQuery: options.onQuery });
  const scope = { database, project: options.project };
  const retention = options.retention;

  const range = () => {
    const to = now();
    return { from: to - days * DAY, to };
  };
  const panels = {
    live: async () => ({ minutes: await liveEvents(options.client, scope, now(), 60, options.onQuery) }),
    trends: () => queries.trends({ interval: 'day', ...range() }),
    funnel: async () => ({
      steps: options.steps && options.steps.length > 0
        ? await queries.funnel({ steps: options.steps, window: options.window ?? DASHBOARD_DEFAULTS.funnelWindow, ...range() })
        : [],
    }),
    retention: async () => retention
      ? queries.retention({
          start: retention.start,
          returning: retention.returning,
          period: retention.period ?? DASHBOARD_DEFAULTS.retentionPeriod,
          periods: retention.periods ?? DASHBOARD_DEFAULTS.retentionPeriods,
          ...range(),
        })
      : null,
    top: async () => ({ events: await queries.topEvents({ limit: DASHBOARD_DEFAULTS.topEvents, ...range() }) }),
  };
  type PanelName = keyof typeof panels;

  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== basePath && !path.startsWith(`${basePath}/`)) {
      return failure('not_found', `no dashboard route at ${url.pathname}: the dashboard lives at ${basePath}`);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return failure('method_not_allowed', `the dashboard is read-only: use GET ${basePath}`, { allow: 'GET, HEAD' });
    }
    const key = presentedKey(request, url);
    if (key === undefined || !sameKey(key, readKey)) {
      const what = key === undefined ? 'needs a read key' : 'does not accept this key';
      return failure(
        'unauthorized',
        `the dashboard ${what}: open ${basePath}?key=<read key> or send Authorization: Bearer <read key> (the dashboard read key, not a write key)`,
        { 'www-authenticate': 'Bearer realm="sluice-dashboard"' },
      );
    }
    const rest = path.slice(basePath.length);
    if (rest === '') {
      const [live, trends, funnel, retentionPanel, top] = await Promise.all([
        settle(panels.live().then((d) => d.minutes)),
        settle(panels.trends()),
        settle(panels.funnel().then((d) => d.steps)),
        settle(panels.retention()),
        settle(panels.top().then((d) => d.events)),
      ]);
      const n = nonce();
      const html = renderPage(
        {
          title: options.title ?? DASHBOARD_DEFAULTS.title,
          basePath,
          project: options.project,
          days,
          live,
          trends,
          funnel,
          retention: retentionPanel,
          top,
          livePollMs: Math.max(250, options.livePollMs ?? DASHBOARD_DEFAULTS.livePollMs),
          restPollMs: Math.max(250, options.restPollMs ?? DASHBOARD_DEFAULTS.restPollMs),
        },
        n,
      );
      return new Response(request.method === 'HEAD' ? null : html, {
        status: 200,
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'content-security-policy': `default-src 'none'; script-src 'nonce-${n}'; style-src 'nonce-${n}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        },
      });
    }
    const name = /^\/api\/([a-z]+)$/.exec(rest)?.[1];
    if (name === undefined || !Object.hasOwn(panels, name)) {
      return failure('not_found', `no dashboard route at ${url.pathname}: the API has ${Object.keys(panels).map((p) => `${basePath}/api/${p}`).join(', ')}`);
    }
    try {
      return json(200, await panels[name as PanelName]());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return failure(error instanceof CollectorError ? error.code : 'internal', message);
    }
  };
}

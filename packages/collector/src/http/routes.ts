import { EVENT_TYPES, type EventType } from '@sluice/schema';

export type Route =
  | { kind: 'batch'; label: string }
  | { kind: 'event'; type: EventType; label: string }
  | { kind: 'client-metrics'; label: string }
  | { kind: 'health' | 'ready' | 'metrics' | 'graphql'; label: string }
  | { kind: 'unknown'; label: 'other' };

/**
 * Every ingestion path, by what it means. Besides the Segment HTTP Tracking API's long paths:
 * - analytics.js (analytics-next) posts to the first letter of the type (`/v1/t`, `/v1/p`, …) and,
 *   with `deliveryStrategy: batching`, to `/v1/b`;
 * - `/v1/import` is the Tracking API's historical-import batch endpoint;
 * - RudderStack's JavaScript SDK sends beacons to `/beacon/v1/batch?writeKey=…`.
 */
const INGEST_PATHS: Record<string, 'batch' | EventType> = {
  '/v1/batch': 'batch',
  '/v1/b': 'batch',
  '/v1/import': 'batch',
  '/beacon/v1/batch': 'batch',
  ...Object.fromEntries(EVENT_TYPES.flatMap((type) => [[`/v1/${type}`, type], [`/v1/${type.charAt(0)}`, type]])),
};

/** analytics.js reports its own delivery metrics here; answered 200 and counted, never stored. */
const CLIENT_METRICS_PATH = '/v1/m';

/** Every path that takes a POST (and its CORS preflight), for adapters that register routes one by one. */
export const POST_PATHS: readonly string[] = [...Object.keys(INGEST_PATHS), CLIENT_METRICS_PATH];

/** Maps a path (after `basePath`) to a route; `label` is the bounded value used in metrics. */
export function matchRoute(pathname: string, basePath: string): Route {
  let path = pathname;
  if (basePath) {
    if (path !== basePath && !path.startsWith(`${basePath}/`)) return { kind: 'unknown', label: 'other' };
    path = path.slice(basePath.length);
  }
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const ingest = Object.hasOwn(INGEST_PATHS, path) ? INGEST_PATHS[path] : undefined;
  if (ingest === 'batch') return { kind: 'batch', label: path };
  if (ingest) return { kind: 'event', type: ingest, label: path };
  if (path === CLIENT_METRICS_PATH) return { kind: 'client-metrics', label: path };
  if (path === '/health') return { kind: 'health', label: path };
  if (path === '/ready') return { kind: 'ready', label: path };
  if (path === '/metrics') return { kind: 'metrics', label: path };
  if (path === '/graphql') return { kind: 'graphql', label: path };
  return { kind: 'unknown', label: 'other' };
}

/** `/collect/` and `collect` both become `/collect`; `/` and `` become ``. */
export function normalizeBasePath(basePath: string | undefined): string {
  if (!basePath) return '';
  const trimmed = basePath.replace(/\/+$/, '');
  if (!trimmed) return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

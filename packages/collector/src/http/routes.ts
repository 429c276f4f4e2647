import { EVENT_TYPES, type EventType } from '@sluice/schema';

export type Route =
  | { kind: 'batch'; label: string }
  | { kind: 'event'; type: EventType; label: string }
  | { kind: 'health' | 'ready' | 'metrics' | 'graphql'; label: string }
  | { kind: 'unknown'; label: 'other' };

const TYPES = new Set<string>(EVENT_TYPES);

/** Maps a path (after `basePath`) to a route; `label` is the bounded value used in metrics. */
export function matchRoute(pathname: string, basePath: string): Route {
  let path = pathname;
  if (basePath) {
    if (path !== basePath && !path.startsWith(`${basePath}/`)) return { kind: 'unknown', label: 'other' };
    path = path.slice(basePath.length);
  }
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (path === '/v1/batch' || path === '/v1/import') return { kind: 'batch', label: '/v1/batch' };
  if (path.startsWith('/v1/')) {
    const type = path.slice(4);
    if (TYPES.has(type)) return { kind: 'event', type: type as EventType, label: path };
  }
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

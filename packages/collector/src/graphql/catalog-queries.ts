import type { AnyTaxonomy } from '@sluice/schema';
import { num, runSql } from '../query/create-queries';
import type { QueryScope } from '../query/sql';
import { createParams, TIME } from '../query/sql';
import { toClickHouseTime } from '../query/time-range';
import type { QueryClient, QueryInfo } from '../query/types';
import { QUERY_API_DEFAULTS } from './defaults';
import { TABLES } from '../clickhouse/tables';

export interface QuarantineCount {
  project: string;
  reason: string;
  path: string;
  count: number;
  /** Newest `received_at` of these rejections, ISO. */
  last: string;
}

export interface EventNameInfo {
  name: string;
  /** Events of this name in the range (from the daily rollup). */
  count: number;
  inTaxonomy: boolean;
}

export interface LiveMinute {
  /** Minute start, ISO. */
  time: string;
  count: number;
}

type Range = { from: number; to: number };
type Run = (name: QueryInfo['name'], query: string, params: Record<string, unknown>) => Promise<Array<Record<string, unknown>>>;

const chDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The questions of the query API that the query library does not ask: rejections in quarantine,
 * the event names and property paths that exist (for autocompletion), and events per minute by
 * received time.
 */
export function createCatalogQueries(client: QueryClient, scope: QueryScope, onQuery?: (info: QueryInfo) => void) {
  const run: Run = (name, query, params) => runSql(client, name, { query, params, source: TABLES.events }, onQuery);
  return {
    /** Rejections per project, reason and path, by `received_at` in the range; largest first. */
    async quarantine(range: Range): Promise<QuarantineCount[]> {
      const p = createParams(scope);
      const query = `SELECT project, reason, path, count() AS n, max(received_at) AS last
FROM {db:Identifier}.${TABLES.quarantine}
WHERE ${p.projectFilter()}received_at >= ${p.add(TIME, toClickHouseTime(range.from))} AND received_at < ${p.add(TIME, toClickHouseTime(range.to))}
GROUP BY project, reason, path
ORDER BY n DESC, reason ASC
LIMIT ${p.add('UInt32', QUERY_API_DEFAULTS.maxQuarantineRows)}`;
      const rows = await run('quarantine', query, p.values);
      return rows.map((r) => ({
        project: String(r.project),
        reason: String(r.reason),
        path: String(r.path),
        count: num(r.n),
        last: `${String(r.last).replace(' ', 'T')}Z`,
      }));
    },

    /** Event names with events in the range (from `events_daily`), then the taxonomy's names with none. */
    async eventNames(range: Range, taxonomy: AnyTaxonomy | undefined): Promise<EventNameInfo[]> {
      const p = createParams(scope);
      const query = `SELECT event, sum(events) AS n
FROM {db:Identifier}.${TABLES.daily}
WHERE ${p.projectFilter()}event != '' AND day >= ${p.add('Date', chDate(range.from))} AND day < ${p.add('Date', chDate(range.to))}
GROUP BY event
ORDER BY n DESC, event ASC
LIMIT ${p.add('UInt32', QUERY_API_DEFAULTS.maxEventNames)}`;
      const rows = await run('eventNames', query, p.values);
      const known = new Set(Object.keys(taxonomy?.events ?? {}));
      const seen = new Set<string>();
      const names: EventNameInfo[] = rows.map((r) => {
        const name = String(r.event);
        seen.add(name);
        return { name, count: num(r.n), inTaxonomy: known.has(name) };
      });
      for (const name of [...known].sort()) if (!seen.has(name)) names.push({ name, count: 0, inTaxonomy: true });
      return names;
    },

    /** Property paths: the taxonomy's keys for the event, then the paths stored in the range. */
    async properties(range: Range, event: string | undefined, taxonomy: AnyTaxonomy | undefined): Promise<string[]> {
      const fromTaxonomy = new Set<string>();
      for (const [name, schema] of Object.entries(taxonomy?.events ?? {})) {
        if (event !== undefined && name !== event) continue;
        const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
        for (const key of Object.keys(shape ?? {})) fromTaxonomy.add(key);
      }
      const p = createParams(scope);
      const filter = event === undefined ? "event != ''" : `event = ${p.add('String', event)}`;
      const query = `SELECT DISTINCT arrayJoin(JSONAllPaths(properties)) AS path
FROM {db:Identifier}.${TABLES.events}
WHERE ${p.projectFilter()}${filter} AND timestamp >= ${p.add(TIME, toClickHouseTime(range.from))} AND timestamp < ${p.add(TIME, toClickHouseTime(range.to))}
ORDER BY path
LIMIT ${p.add('UInt32', QUERY_API_DEFAULTS.maxEventNames)}`;
      const rows = await run('properties', query, p.values);
      return [...new Set([...[...fromTaxonomy].sort(), ...rows.map((r) => String(r.path))])];
    },

    /**
     * Events per minute by `received_at` (when the collector took them), over the `minutes` whole
     * minutes up to `now`, zero-filled: what is arriving, whatever the clients' clocks say.
     */
    async live(now: number, minutes: number): Promise<LiveMinute[]> {
      const minute = 60_000;
      const end = Math.floor(now / minute) * minute + minute;
      const start = end - minutes * minute;
      const p = createParams(scope);
      const query = `SELECT toUInt32(toUnixTimestamp(toStartOfMinute(received_at))) AS t, uniqExact(message_id) AS n
FROM {db:Identifier}.${TABLES.events}
WHERE ${p.projectFilter()}received_at >= ${p.add(TIME, toClickHouseTime(start))} AND received_at < ${p.add(TIME, toClickHouseTime(end))}
  AND event != ''
GROUP BY t`;
      const rows = await run('liveEvents', query, p.values);
      const counts = new Map(rows.map((r) => [num(r.t) * 1000, num(r.n)]));
      return Array.from({ length: minutes }, (_, i) => {
        const t = start + i * minute;
        return { time: new Date(t).toISOString(), count: counts.get(t) ?? 0 };
      });
    },
  };
}

export type CatalogQueries = ReturnType<typeof createCatalogQueries>;

import type { EventName } from '@sluice/schema';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import { QUERY_DEFAULTS } from './defaults';
import { buildFunnelQuery, funnelSteps, funnelWindowMs } from './funnel';
import { buildRetentionQuery, retentionCohorts } from './retention';
import type { QueryScope, SqlQuery } from './sql';
import { plainName } from '../clickhouse/identifiers';
import { resolveRange } from './time-range';
import { buildTopEventsQuery, buildUniqueUsersQuery } from './totals';
import { buildTrendsQuery, trendsSeries } from './trends';
import type { Queries, QueriesOptions, QueryInfo, QueryClient } from './types';

type Row = Record<string, unknown>;

/** Runs one built statement with its parameters and returns its rows. */
export async function runSql(
  client: QueryClient,
  name: QueryInfo['name'],
  sql: SqlQuery,
  onQuery?: (info: QueryInfo) => void,
): Promise<Row[]> {
  const started = performance.now();
  let rows: Row[];
  try {
    const result = await client.query({ query: sql.query, query_params: sql.params, format: 'JSONEachRow' });
    rows = await result.json<Row>();
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    const hint = /UNKNOWN_TABLE|doesn't exist|does not exist/i.test(message)
      ? ': run `sluice migrate` against this database first'
      : '';
    throw new CollectorError('engine', `${name} query failed: ${message}${hint}`, { cause: error });
  }
  onQuery?.({ name, source: sql.source, query: sql.query, params: sql.params, elapsedMs: performance.now() - started });
  return rows;
}

/** ClickHouse sends 64-bit integers as strings in JSON; every count here is well inside 2^53. */
export function num(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

/**
 * The everyday product questions over Sluice's tables, typed by the taxonomy:
 *
 * ```ts
 * const queries = createQueries<typeof taxonomy>({ client, database: 'sluice', project: 'web' });
 * await queries.funnel({ steps: ['Signup Completed', 'Activated', 'Order Placed'], window: '7d' });
 * ```
 */
export function createQueries<T = unknown>(options: QueriesOptions): Queries<T> {
  const scope: QueryScope = { database: plainName(options.database ?? DEFAULTS.database, 'database'), project: options.project };
  const now = options.now ?? Date.now;
  const run = (name: QueryInfo['name'], sql: SqlQuery): Promise<Row[]> => runSql(options.client, name, sql, options.onQuery);

  return {
    async funnel(o) {
      const { from, to } = resolveRange(o.from, o.to, now());
      const steps = [...o.steps] as Array<EventName<T>>;
      const sql = buildFunnelQuery(scope, { steps, windowMs: funnelWindowMs(o.window), from, to, by: o.by });
      const rows = await run('funnel', sql);
      return funnelSteps(steps, rows.map((r) => ({ level: num(r.level), actors: num(r.actors) })));
    },

    async retention(o) {
      const { from, to } = resolveRange(o.from, o.to, now());
      const question = {
        start: o.start,
        returning: o.returning,
        period: o.period ?? QUERY_DEFAULTS.retentionPeriod,
        periods: o.periods ?? QUERY_DEFAULTS.retentionPeriods,
        from,
        to,
        by: o.by,
      };
      const rows = await run('retention', buildRetentionQuery(scope, question));
      return retentionCohorts(
        question,
        rows.map((r) => ({ cohort: String(r.cohort), k: num(r.k), actors: num(r.actors) })),
        now(),
      );
    },

    async trends(o = {}) {
      const { from, to } = resolveRange(o.from, o.to, now());
      const question = {
        events: o.events,
        interval: o.interval ?? 'day',
        from,
        to,
        breakdown: o.breakdown === undefined ? undefined : String(o.breakdown),
        users: o.users === true,
        by: o.by,
      };
      const sql = buildTrendsQuery(scope, question);
      const rows = await run('trends', sql);
      return trendsSeries<EventName<T>>(
        question,
        sql.source,
        rows.map((r) => ({
          t: num(r.t),
          event: String(r.event),
          value: r.value === undefined ? undefined : String(r.value),
          n_events: num(r.n_events),
          n_users: r.n_users === undefined ? undefined : num(r.n_users),
        })),
      );
    },

    async topEvents(o = {}) {
      const { from, to } = resolveRange(o.from, o.to, now());
      const sql = buildTopEventsQuery(scope, { from, to, limit: o.limit ?? QUERY_DEFAULTS.topEventsLimit, by: o.by });
      const rows = await run('topEvents', sql);
      return rows.map((r) => ({ event: String(r.event) as EventName<T>, count: num(r.n_events), users: num(r.n_users) }));
    },

    async uniqueUsers(o = {}) {
      const { from, to } = resolveRange(o.from, o.to, now());
      const sql = buildUniqueUsersQuery(scope, { from, to, events: o.events, by: o.by });
      const rows = await run('uniqueUsers', sql);
      return { users: num(rows[0]?.n_users), source: sql.source };
    },
  };
}

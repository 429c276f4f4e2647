import type { AnyTaxonomy } from '@sluice/schema';
import type { Engine } from '../clickhouse';
import { createDashboard, type DashboardOptions } from '../dashboard/create-dashboard';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import { createAnswerCache } from '../graphql/answer-cache';
import { createAnswers } from '../graphql/answers';
import { createGraphqlHandler } from '../graphql/create-graphql';
import type { Logger } from '../logger';
import type { CollectorMetrics } from '../metrics';
import { ALL_PROJECTS, createReadKeyStore, type ReadKeys } from './read-keys';

/** What `createCollector({ dashboard })` takes; the collector supplies the client, database, keys and path. */
export type CollectorDashboardOptions = Omit<DashboardOptions, 'client' | 'database' | 'writeKeys' | 'basePath' | 'readKeys' | 'taxonomy' | 'now'>;

/** Tuning of `POST /graphql` and its answer cache (the dashboard shares both). */
export interface QueryApiOptions {
  /** Reuse an answer from memory while younger than this, unless rows landed since; 0 turns reuse off. */
  cacheTtlMs?: number;
  /** Memory the cached answers may take. */
  cacheMaxBytes?: number;
  /** ClickHouse stops a question's query after this many milliseconds. */
  timeoutMs?: number;
  maxDepth?: number;
  maxCost?: number;
}

export interface QueryApi {
  graphql: (request: Request) => Promise<Response>;
  dashboard: ((request: Request) => Promise<Response>) | undefined;
  dashboardPath: string;
  /** Rows landed: cached answers are no longer reused. */
  invalidate(): void;
}

/**
 * The read side of the collector: read keys, the answer cache, `{basePath}/graphql` and the
 * dashboard at `{basePath}/dashboard`, all querying the collector's own engine (with chDB, the only
 * client that can read its data directory).
 */
export function createQueryApi(options: {
  readKeys: ReadKeys | undefined;
  writeKeys: readonly string[];
  dashboard: CollectorDashboardOptions | undefined;
  queryApi: QueryApiOptions | undefined;
  basePath: string;
  database: string | undefined;
  taxonomy: AnyTaxonomy | undefined;
  metrics: CollectorMetrics;
  logger: Logger;
  now: () => number;
  engine: () => Promise<Pick<Engine, 'client' | 'kind'> | undefined>;
}): QueryApi {
  const readKeys: ReadKeys = { ...options.readKeys };
  // `dashboard.readKey` (and `--dashboard-key`) is a read key like any other.
  if (options.dashboard?.readKey !== undefined) readKeys[options.dashboard.readKey] = options.dashboard.project ?? ALL_PROJECTS;
  const keys = createReadKeyStore(readKeys, options.writeKeys);
  const cache = createAnswerCache({ ttlMs: options.queryApi?.cacheTtlMs, maxBytes: options.queryApi?.cacheMaxBytes, now: options.now, observer: options.metrics.queryCache });
  const engine = async () => {
    const found = await options.engine();
    if (!found) throw new CollectorError('config', 'the query API needs the collector to own its engine; it cannot read through a custom sink');
    return found;
  };
  const answers = createAnswers({
    client: { query: async (params) => (await engine()).client.query(params) },
    kill: async (id) => {
      const found = await engine();
      if (found.kind === 'server') await found.client.command({ query: 'KILL QUERY WHERE query_id = {id:String} ASYNC', query_params: { id } });
    },
    database: options.database ?? DEFAULTS.database,
    taxonomy: options.taxonomy,
    cache,
    timeoutMs: options.queryApi?.timeoutMs,
    now: options.now,
  });
  const dashboardPath = `${options.basePath}/dashboard`;
  return {
    graphql: createGraphqlHandler({
      answers,
      readKeys: keys,
      endpoint: `${options.basePath}/graphql`,
      maxDepth: options.queryApi?.maxDepth,
      maxCost: options.queryApi?.maxCost,
      logger: options.logger,
    }),
    dashboard: options.dashboard
      ? createDashboard({ ...options.dashboard, client: { query: async (params) => (await engine()).client.query(params) }, basePath: dashboardPath, now: options.now }, { answers, keys })
      : undefined,
    dashboardPath,
    invalidate: () => cache.invalidate(),
  };
}

import type { AnyTaxonomy } from '@sluice/schema';
import type { Engine, EngineOptions, MigrateOptions, MigrateResult } from './clickhouse';
import { DEFAULTS } from './defaults';
import { CollectorError } from './errors';
import { createKeyStore, type WriteKeys } from './http/auth';
import type { IpPolicy } from './http/client-ip';
import { createCors, type CorsOrigins } from './http/cors';
import { createDedupe } from './http/dedupe';
import { seedDedupe } from './http/dedupe-seed';
import { startEngine, type WalOptions, type WriterOptions, type Started } from './http/engine-startup';
import { createRateLimiter, type RateLimitOptions } from './http/rate-limit';
import { withDashboard } from './http/dashboard-route';
import { createQueryApi, type CollectorDashboardOptions, type QueryApiOptions } from './http/query-api';
import type { ReadKeys } from './http/read-keys';
import { createRejectionReporter } from './http/rejection-report';
import type { Answer, Exchange } from './http/exchange';
import { createCore, fetchHandler, type ConnectionInfo } from './http/handler';
import { normalizeBasePath } from './http/routes';
import type { Logger } from './logger';
import { silentLogger } from './logger';
import { createMetrics, type CollectorMetrics } from './metrics';
import type { Sink } from './sink';

export interface CollectorLimits {
  /** Bytes a request body may have on the wire. */
  maxBodyBytes: number;
  /** Bytes a body may have after decompression (a gzip bomb stops here). */
  maxDecodedBytes: number;
  /** Recent messageIds remembered per project to drop client retries; 0 turns it off. */
  dedupeWindow: number;
  /** Largest clock-skew correction; beyond it the event is placed at the time it was received. */
  maxClockSkewMs: number;
  /** Bytes of a rejected event's JSON kept in `events_quarantine.raw`. */
  maxQuarantineRawBytes: number;
}

export interface CollectorOptions {
  /** Write key → project (or `{ project, origins }`), or an async lookup for keys kept elsewhere. */
  writeKeys: WriteKeys;
  /**
   * Where events go: `{ clickhouse: url | client options | ClickHouseClient }` or `{ embedded: { path } }`
   * (chDB in this process). The collector connects, runs the migrations and starts the writer.
   * Defaults to `{ embedded: { path: DEFAULTS.embeddedPath } }` unless `sink` is given.
   */
  engine?: EngineOptions;
  /** A ready-made sink instead of an engine (tests, or a write-ahead log in front of the writer). */
  sink?: Sink;
  /**
   * When a request is answered 200:
   * - `wal` (the default): once its events are fsynced to the write-ahead log (`wal.dir`); they
   *   survive a crash of the collector or of ClickHouse and are stored exactly once;
   * - `memory`: once buffered (fastest, lossy on a crash);
   * - `clickhouse`: once inserted.
   */
  ack?: 'wal' | 'memory' | 'clickhouse';
  /** The write-ahead log of `ack: 'wal'`: its directory (`.sluice/wal` by default), size cap and raw retention. */
  wal?: WalOptions;
  /**
   * Token-bucket rate limit, per write key by default (`scope: 'global'` for one bucket); off unless
   * `eventsPerSecond` is set. A key's grant may carry its own `rateLimit`. Over it: 429 with Retry-After.
   */
  rateLimit?: RateLimitOptions;
  /**
   * Read key → the project it reads (`'*'` for every project). A read key opens `POST {basePath}/graphql`
   * and the dashboard (`Authorization: Bearer <read key>`, or the dashboard's login form); it never
   * writes, and a write key never reads. At least 8 characters, distinct from every write key.
   */
  readKeys?: ReadKeys;
  /** Tuning of the query API and its answer cache (TTL, memory, query timeout, depth and cost limits). */
  queryApi?: QueryApiOptions;
  /**
   * Serve a dashboard at `{basePath}/dashboard`, off by default: forms to choose the funnel, range,
   * breakdown and retention (kept in the URL), live events, trends, top events and quarantine. Any
   * read key opens it; `readKey` adds one (reading `project` when set, else every project).
   */
  dashboard?: CollectorDashboardOptions;
  /** Migration options for the engine: database, cluster, TTLs. The taxonomy is passed on for type hints. */
  migrations?: Omit<MigrateOptions, 'taxonomy' | 'logger'>;
  /** Writer batching and buffer options, passed to the ClickHouse sink. */
  writer?: WriterOptions;
  /** Validates track properties and identify traits; without it any well-formed event is accepted. */
  taxonomy?: AnyTaxonomy;
  /** Origins browsers may send from: `'*'` (the default) or a list such as `['https://app.example.com', 'https://*.example.com']`. */
  cors?: CorsOrigins;
  /** What is stored of the client IP in `context.ip`; `anonymize` by default. */
  ipPolicy?: IpPolicy;
  /** Read the client IP from `X-Forwarded-For` (only behind a proxy you run). Off by default. */
  trustProxy?: boolean;
  /** A pino-compatible logger; quiet by default. */
  logger?: Logger;
  /** The path the collector is mounted under when the adapter does not strip it, e.g. `/collect`. */
  basePath?: string;
  limits?: Partial<CollectorLimits>;
  /** The clock, injectable for tests. */
  now?: () => number;
}

export interface Collector {
  /** The Fetch-API handler: mount it in any runtime. It never throws; every failure is a JSON response. */
  fetch(request: Request, info?: ConnectionInfo): Promise<Response>;
  /**
   * The same handler without the Fetch types: the node:http, Express and Fastify adapters pass the
   * request as an `Exchange` (the body read straight into a Buffer) and write the `Answer` back.
   */
  answer(request: Exchange, info?: ConnectionInfo): Promise<Answer>;
  /**
   * Resolves once the engine is connected and migrated and the writer runs (at once with a `sink`).
   * Rejects with the startup error (unreachable server, locked data directory, missing chdb); requests
   * meanwhile get 503, and the next request tries to start again.
   */
  ready(): Promise<CollectorStartup>;
  /** Refuses new events, waits for requests in flight, drains the writer within the deadline, closes the engine. */
  close(deadlineMs?: number): Promise<void>;
  readonly metrics: CollectorMetrics;
}

export interface CollectorStartup {
  /** What the migrations did; both empty when a `sink` was given. */
  migrations: MigrateResult;
  /**
   * The connected engine: `client` queries the same ClickHouse the collector writes to (with chDB,
   * the only way to query its data directory from this process). Absent when a `sink` was given.
   */
  engine?: Pick<Engine, 'client' | 'database' | 'kind'>;
  /** With `ack: 'wal'`: the log's directory, and what recovery repaired when it was opened (a torn tail, say). */
  wal?: { dir: string; repairs: readonly string[] };
}

/**
 * Creates a collector. It returns at once and starts the engine in the background, so it can be
 * mounted synchronously; `await collector.ready()` to fail fast at boot (the CLI does).
 */
export function createCollector(options: CollectorOptions): Collector {
  if (!options || options.writeKeys === undefined) {
    throw new CollectorError('config', 'createCollector needs writeKeys, such as { writeKeys: { KEY: "PROJECT" } }');
  }
  const logger = options.logger ?? silentLogger;
  const metrics = createMetrics();
  const limits: CollectorLimits = {
    maxBodyBytes: DEFAULTS.maxBodyBytes,
    maxDecodedBytes: DEFAULTS.maxDecodedBytes,
    dedupeWindow: DEFAULTS.dedupeWindow,
    maxClockSkewMs: DEFAULTS.maxClockSkewMs,
    maxQuarantineRawBytes: DEFAULTS.maxQuarantineRawBytes,
    ...options.limits,
  };
  const keys = createKeyStore(options.writeKeys);
  const cors = createCors(options.cors ?? DEFAULTS.corsOrigins, keys.keyOrigins);

  const dedupe = createDedupe(limits.dedupeWindow);
  let started: Started | undefined;
  let starting: Promise<Started> | undefined;
  let closing = false;
  const inFlight = new Set<Promise<unknown>>();

  const start = (): Promise<Started> => {
    if (started) return Promise.resolve(started);
    if (closing) return Promise.reject(new CollectorError('unavailable', 'the collector is shutting down; retry against another instance'));
    starting ??= (
      options.sink
        ? Promise.resolve<Started>({ sink: options.sink, migrations: { applied: [], skipped: [], propertyHints: { refused: [] } }, close: async () => {} })
        : startEngine({
            engine: options.engine ?? { embedded: { path: DEFAULTS.embeddedPath } },
            ack: options.ack ?? DEFAULTS.ack,
            wal: options.wal,
            migrations: { ...options.migrations, taxonomy: options.taxonomy, logger },
            writer: options.writer,
            logger,
            // Rows landed (events or quarantine): answers cached before are no longer reused.
            observer: {
              ...metrics.observer,
              onInsert(rows: number, bytes: number, ms: number) {
                metrics.observer.onInsert(rows, bytes, ms);
                queryApi.invalidate();
              },
              onQuarantine(rows: number) {
                metrics.observer.onQuarantine(rows);
                queryApi.invalidate();
              },
            },
          })
    ).then(
      async (value) => {
        metrics.watchWal(value.wal);
        if (value.engine) {
          await seedDedupe(dedupe, {
            client: value.engine.client,
            database: value.engine.database,
            window: limits.dedupeWindow,
            horizonMs: DEFAULTS.dedupeSeedHorizonMs,
            logger,
          });
        }
        return (started = value);
      },
      (error: unknown) => {
        // Let the next request try again (a server that was down at boot may be up now).
        starting = undefined;
        throw error;
      },
    );
    return starting;
  };
  start().catch((error: unknown) => logger.error({ err: error }, 'the collector could not start'));

  const basePath = normalizeBasePath(options.basePath);
  const queryApi = createQueryApi({
    readKeys: options.readKeys,
    writeKeys: typeof options.writeKeys === 'function' ? [] : Object.keys(options.writeKeys),
    dashboard: options.dashboard,
    queryApi: options.queryApi,
    basePath,
    database: options.migrations?.database,
    taxonomy: options.taxonomy,
    metrics,
    logger,
    now: options.now ?? Date.now,
    engine: () => start().then((value) => value.engine),
  });
  const core = createCore({
    keys,
    cors,
    dedupe,
    taxonomy: options.taxonomy,
    ipPolicy: options.ipPolicy ?? DEFAULTS.ipPolicy,
    trustProxy: options.trustProxy ?? DEFAULTS.trustProxy,
    limits,
    now: options.now ?? Date.now,
    basePath,
    metrics,
    logger,
    countEvents: metrics.events,
    rateLimiter: createRateLimiter(options.rateLimit, options.now ?? Date.now),
    rejections: createRejectionReporter({
      count: metrics.rejected,
      logger,
      now: options.now ?? Date.now,
      intervalMs: DEFAULTS.rejectionLogIntervalMs,
      maxTracked: DEFAULTS.rejectionLogMaxTracked,
    }),
    sink: () =>
      start().then(
        (value) => value.sink,
        (error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          throw new CollectorError('unavailable', `the collector cannot store events yet: ${reason}`, { cause: error });
        },
      ),
    readySink: () => started?.sink,
    isClosing: () => closing,
    graphql: options.sink ? undefined : queryApi.graphql,
    track(work) {
      inFlight.add(work);
      return work.finally(() => inFlight.delete(work));
    },
  });

  const answer = queryApi.dashboard ? withDashboard(core, queryApi.dashboard, queryApi.dashboardPath) : core;

  return {
    fetch: fetchHandler(answer),
    answer,
    metrics,
    ready: () =>
      start().then((value) => ({
        migrations: value.migrations,
        engine: value.engine,
        wal: value.wal ? { dir: value.wal.dir, repairs: value.wal.repairs } : undefined,
      })),
    async close(deadlineMs = DEFAULTS.shutdownDeadlineMs) {
      if (closing) return;
      closing = true;
      const deadline = Date.now() + deadlineMs;
      await withDeadline(Promise.allSettled([...inFlight]), deadlineMs);
      const engine = started ?? (await withDeadline(starting?.catch(() => undefined), Math.max(0, deadline - Date.now())));
      if (!engine) return;
      try {
        await engine.sink.close(Math.max(0, deadline - Date.now()));
      } finally {
        await engine.close();
      }
    },
  };
}

async function withDeadline<T>(work: Promise<T> | undefined, ms: number): Promise<T | undefined> {
  if (!work) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

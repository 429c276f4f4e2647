export { createCollector } from './collector';
export type { Collector, CollectorLimits, CollectorOptions, CollectorStartup } from './collector';
export type { WalOptions, WriterOptions } from './http/engine-startup';
export type { RateLimit, RateLimitOptions } from './http/rate-limit';
export type { CollectorDashboardOptions, QueryApiOptions } from './http/query-api';
export type { ReadKeys } from './http/read-keys';
export { createAnswerCache, createAnswers, createGraphqlHandler, QUERY_API_DEFAULTS, TYPE_DEFS } from './graphql';
export type { AnswerCache, AnswerCacheOptions, Answers, AnswersOptions, PersonKey } from './graphql';
export type { WriteKeyGrant, WriteKeys } from './http/auth';
export type { IpPolicy } from './http/client-ip';
export type { CorsOrigins } from './http/cors';
export type { ConnectionInfo } from './http/handler';
export type { Answer, Exchange, HeaderSource } from './http/exchange';
export { createMetrics } from './metrics';
export type { CollectorMetrics, EventOutcome, WalGaugeSource } from './metrics';
export { createClickHouseSink, createEngine, createInsertChain, createRetryPolicy, migrate, MIGRATIONS, rowsToBatch, TABLES } from './clickhouse';
export type {
  ClickHouseSink,
  ClickHouseSinkOptions,
  Engine,
  EngineOptions,
  InsertBatch,
  InsertChainOptions,
  InsertOutcome,
  MigrateOptions,
  MigrateResult,
  Migration,
  RetryHooks,
  RetryOptions,
  RetryPlatform,
  RetryPolicy,
  RowsBatch,
  ServerOptions,
  WriterObserver,
  WriterStats,
} from './clickhouse';
export { CollectorError, STATUS_BY_CODE } from './errors';
export type { CollectorErrorCode } from './errors';
export { DEFAULTS } from './defaults';
export type { Logger } from './logger';
export type { EventRow, QuarantineRow, RowBatch } from './rows';
export { toEventRow } from './http/enrich';
export type { EnrichContext } from './http/enrich';
export type { Sink } from './sink';
export { createWalSink, createWriteAheadLog, replayLog } from './wal';
export type {
  Position,
  ReplayOptions,
  ReplayProgress,
  WalBatch,
  WalInsert,
  WalRecord,
  WalSink,
  WalSinkObserver,
  WalSinkOptions,
  WalStats,
  WriteAheadLog,
  WriteAheadLogOptions,
} from './wal';

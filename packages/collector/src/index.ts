export { createCollector } from './collector';
export type { Collector, CollectorLimits, CollectorOptions, CollectorStartup } from './collector';
export type { WriterOptions } from './http/engine-startup';
export type { WriteKeyGrant, WriteKeys } from './http/auth';
export type { IpPolicy } from './http/client-ip';
export type { CorsOrigins } from './http/cors';
export type { ConnectionInfo } from './http/handler';
export { createMetrics } from './metrics';
export type { CollectorMetrics, EventOutcome } from './metrics';
export { createClickHouseSink, createEngine, migrate, MIGRATIONS } from './clickhouse';
export type {
  ClickHouseSink,
  ClickHouseSinkOptions,
  Engine,
  EngineOptions,
  InsertOutcome,
  MigrateOptions,
  MigrateResult,
  Migration,
  RetryOptions,
  ServerOptions,
  TokenBatch,
  WriterObserver,
  WriterStats,
} from './clickhouse';
export { CollectorError, STATUS_BY_CODE } from './errors';
export type { CollectorErrorCode } from './errors';
export { DEFAULTS } from './defaults';
export type { Logger } from './logger';
export type { EventRow, QuarantineRow, RowBatch } from './rows';
export type { Sink } from './sink';

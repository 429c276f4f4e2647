export { createEngine } from './engine';
export type { Engine, EngineOptions, ServerOptions } from './engine';
export { migrate, MIGRATIONS } from './migrations';
export type { MigrateOptions, MigrateResult, Migration } from './migrations';
export { createClickHouseSink } from './writer';
export type {
  ClickHouseSink,
  ClickHouseSinkOptions,
  InsertOutcome,
  RetryOptions,
  TokenBatch,
  WriterObserver,
  WriterStats,
} from './writer-types';

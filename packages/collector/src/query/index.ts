export { createQueries } from './create-queries';
export { runQueryCommand } from './cli';
export { parseDuration } from '../duration';
export { QUERY_DEFAULTS } from './defaults';
export type {
  Actor,
  Breakdown,
  ColumnBreakdown,
  FunnelOptions,
  FunnelStep,
  PropertyName,
  Queries,
  QueriesOptions,
  QueryClient,
  QueryInfo,
  QuerySource,
  RangeOptions,
  RetentionCohort,
  RetentionOptions,
  RetentionPeriod,
  RetentionResult,
  TimeInput,
  TopEvent,
  TopEventsOptions,
  TrendInterval,
  TrendSeries,
  TrendsOptions,
  TrendsResult,
  UniqueUsersOptions,
  UniqueUsersResult,
} from './types';
export type { QueryCommandDeps, QueryCommandIo } from './cli';

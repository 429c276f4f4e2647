import type { ClickHouseClient } from '@clickhouse/client';
import type { AnyTaxonomy, EventName, EventProperties } from '@sluice/schema';
import type { TABLES } from '../clickhouse/tables';

/** A Date, epoch milliseconds or an ISO-8601 string. */
export type TimeInput = Date | number | string;

/** What the query layer needs of a ClickHouse client: `query` only, so a wrapped client works too. */
export type QueryClient = Pick<ClickHouseClient, 'query'>;

/**
 * Who a query counts. `person` (the default) is every id the events link: identify, any event with
 * both ids, and alias (docs/identity.md). The others count one column of `events` as it is:
 * `distinct_id` is the userId, else the anonymousId.
 */
export type Actor = 'person' | 'distinct_id' | 'user_id' | 'anonymous_id' | 'session_id';

/** Typed columns of `events` a trend can break down by; the daily rollup holds all four. */
export type ColumnBreakdown = 'utm_source' | 'utm_medium' | 'utm_campaign' | 'page_path';

/** Named keys of an object type, without index signatures (`z.object({})` has a `string` one). */
type KnownKeys<O> = Extract<keyof { [K in keyof O as string extends K ? never : number extends K ? never : K]: O[K] }, string>;

/** Top-level property names of any event in the taxonomy; any string without one. */
export type PropertyName<T> = [T] extends [AnyTaxonomy]
  ? { [N in EventName<T>]: KnownKeys<EventProperties<T, N>> }[EventName<T>]
  : string;

/** A column of `events` or a property name. Column names win when a property has the same name. */
export type Breakdown<T> = ColumnBreakdown | PropertyName<T>;

/** Where an answer was read from. */
export type QuerySource = typeof TABLES.events | typeof TABLES.eventsById | typeof TABLES.hourly | typeof TABLES.daily;

/** Tables a query may read: its source, and the identity graph that person-level queries join. */
export type QueryTable = QuerySource | typeof TABLES.identityLinkKeys | typeof TABLES.identityAliases;

/** Reported once per query run, for logs and benchmarks. */
export interface QueryInfo {
  name: 'funnel' | 'retention' | 'trends' | 'topEvents' | 'uniqueUsers' | 'liveEvents' | 'quarantine' | 'eventNames' | 'properties';
  source: QuerySource;
  query: string;
  params: Record<string, unknown>;
  elapsedMs: number;
}

export interface QueriesOptions {
  client: QueryClient;
  /** Database of Sluice's tables; `sluice` by default. */
  database?: string;
  /** Only this project's events; every project's when omitted. */
  project?: string;
  /** Clock for default ranges; `Date.now` by default. */
  now?: () => number;
  onQuery?: (info: QueryInfo) => void;
}

export interface RangeOptions {
  /** Inclusive; 30 days before `to` by default. */
  from?: TimeInput;
  /** Exclusive; now by default. */
  to?: TimeInput;
}

export interface FunnelOptions<T = unknown> extends RangeOptions {
  /** One to 32 event names, in order. */
  steps: readonly EventName<T>[];
  /** Longest time from the first step to the last: milliseconds or `'30m'`, `'1d'`, `'7d'`… (7d by default). */
  window?: number | string;
  by?: Actor;
}

export interface FunnelStep<T = unknown> {
  step: EventName<T>;
  /** Actors who reached this step (and every one before it, in order, within the window). */
  users: number;
  /** users / users of the first step (0 when nobody entered). */
  conversion: number;
  /** users / users of the previous step (1 for the first step, 0 after an empty step). */
  fromPrevious: number;
}

export type RetentionPeriod = 'day' | 'week';

export interface RetentionOptions<T = unknown> extends RangeOptions {
  /** The event that puts an actor in the cohort of the period of their first such event in the range. */
  start: EventName<T>;
  /** The event that counts as coming back. */
  returning: EventName<T>;
  period?: RetentionPeriod;
  /** How many periods after the cohort's own to follow (8 by default). */
  periods?: number;
  by?: Actor;
}

export interface RetentionCohort {
  /** First day of the cohort's period, `YYYY-MM-DD` (UTC; weeks start on Monday). */
  cohort: string;
  size: number;
  /**
   * `retained[k]`: cohort members who did the returning event in period `k` after the cohort's own
   * (`k = 0` is the cohort's period). `null` for periods that have not started yet.
   */
  retained: Array<number | null>;
  /** retained[k] / size, 0 for an empty cohort. */
  rates: Array<number | null>;
}

export interface RetentionResult {
  period: RetentionPeriod;
  periods: number;
  cohorts: RetentionCohort[];
}

export type TrendInterval = 'hour' | 'day';

export interface TrendsOptions<T = unknown> extends RangeOptions {
  /** Only these events; every named event when omitted. */
  events?: readonly EventName<T>[];
  interval?: TrendInterval;
  breakdown?: Breakdown<T>;
  /**
   * Also count distinct actors per bucket. Off by default. Event counts come from the rollups; so do
   * user counts `by: 'distinct_id'`. People (the default `by`) are resolved from `events` at read
   * time, so asking for them reads the raw events instead (docs/identity.md has the costs).
   */
  users?: boolean;
  /** Who `users` counts: `person` by default, or `distinct_id` (from the rollups), or another column. */
  by?: Actor;
}

export interface TrendSeries<T = unknown> {
  event: EventName<T>;
  /** The breakdown value ('' when the column or property is empty); absent without a breakdown. */
  breakdown?: string;
  /** Distinct events (messageIds) per bucket, aligned with `TrendsResult.buckets`. */
  counts: number[];
  /** Distinct actors (people by default) per bucket, when asked for with `users: true`. */
  users?: number[];
  total: number;
}

export interface TrendsResult<T = unknown> {
  interval: TrendInterval;
  source: QuerySource;
  /** Bucket starts as ISO strings: every whole hour or UTC day that overlaps [from, to). */
  buckets: string[];
  /** Largest total first. */
  series: Array<TrendSeries<T>>;
}

export interface TopEventsOptions extends RangeOptions {
  limit?: number;
  /** Who the `users` column counts: `person` by default; `distinct_id` reads the hourly rollup. */
  by?: Actor;
}

export interface TopEvent<T = unknown> {
  event: EventName<T>;
  count: number;
  users: number;
}

export interface UniqueUsersOptions<T = unknown> extends RangeOptions {
  events?: readonly EventName<T>[];
  /** Who is counted: `person` by default; `distinct_id` reads the hourly rollup. */
  by?: Actor;
}

export interface UniqueUsersResult {
  users: number;
  source: QuerySource;
}

export interface Queries<T = unknown> {
  funnel(options: FunnelOptions<T>): Promise<Array<FunnelStep<T>>>;
  retention(options: RetentionOptions<T>): Promise<RetentionResult>;
  trends(options?: TrendsOptions<T>): Promise<TrendsResult<T>>;
  topEvents(options?: TopEventsOptions): Promise<Array<TopEvent<T>>>;
  uniqueUsers(options?: UniqueUsersOptions<T>): Promise<UniqueUsersResult>;
}

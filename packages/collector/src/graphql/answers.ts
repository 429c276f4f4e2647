import type { AnyTaxonomy } from '@sluice/schema';
import { DEFAULTS } from '../defaults';
import { createQueries } from '../query/create-queries';
import { QUERY_DEFAULTS } from '../query/defaults';
import { funnelWindowMs } from '../query/funnel';
import { plainName } from '../clickhouse/identifiers';
import type { Actor, FunnelStep, QueryClient, QueryInfo, RetentionPeriod, RetentionResult, TopEvent, TrendInterval, TrendsResult } from '../query/types';
import type { AnswerCache } from './answer-cache';
import { createCatalogQueries } from './catalog-queries';
import type { EventNameInfo, LiveMinute, QuarantineCount } from './catalog-queries';
import { questionRange, type RangeArgs } from './question-range';
import { withQueryTimeout } from './query-timeout';

/** Who a count counts: a person (every id the events link; the query library's default), or one id column. */
export type PersonKey = 'person' | Actor;

export interface FunnelArgs extends RangeArgs {
  steps: readonly string[];
  window?: string | null;
  by?: PersonKey | null;
}

export interface RetentionArgs extends RangeArgs {
  start: string;
  returning: string;
  period?: RetentionPeriod | null;
  periods?: number | null;
  by?: PersonKey | null;
}

export interface TrendsArgs extends RangeArgs {
  events?: readonly string[] | null;
  interval?: TrendInterval | null;
  breakdown?: string | null;
  users?: boolean | null;
  by?: PersonKey | null;
}

export interface TopEventsArgs extends RangeArgs {
  limit?: number | null;
  by?: PersonKey | null;
}

export interface UsersArgs extends RangeArgs {
  events?: readonly string[] | null;
  by?: PersonKey | null;
}

export interface AnswersOptions {
  client: QueryClient;
  /** Stops a query by id when the client gave up on it (on a server: `KILL QUERY`). */
  kill?: (queryId: string) => Promise<unknown>;
  database?: string;
  taxonomy?: AnyTaxonomy;
  cache: AnswerCache;
  timeoutMs?: number;
  now?: () => number;
  onQuery?: (info: QueryInfo) => void;
}

/** `project` is the project asked about, or `undefined` for every project. */
export interface Answers {
  funnel(project: string | undefined, args: FunnelArgs): Promise<FunnelStep[]>;
  retention(project: string | undefined, args: RetentionArgs): Promise<RetentionResult>;
  trends(project: string | undefined, args: TrendsArgs): Promise<TrendsResult>;
  topEvents(project: string | undefined, args: TopEventsArgs): Promise<TopEvent[]>;
  users(project: string | undefined, args: UsersArgs): Promise<number>;
  quarantine(project: string | undefined, args: RangeArgs): Promise<QuarantineCount[]>;
  eventNames(project: string | undefined, args: RangeArgs): Promise<EventNameInfo[]>;
  properties(project: string | undefined, args: RangeArgs & { event?: string | null }): Promise<string[]>;
  /** Events per minute by received time over the last `minutes` minutes. */
  live(project: string | undefined, minutes: number): Promise<LiveMinute[]>;
  /** The whole-day range a question's arguments stand for. */
  range(args: RangeArgs): { from: number; to: number };
}

const opt = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

/** The same list in any order is the same question. */
const set = (values: readonly string[] | null | undefined): string[] | undefined =>
  values === null || values === undefined || values.length === 0 ? undefined : [...new Set(values)].sort();

/**
 * The questions of the query API and the dashboard, answered through the query library over whole
 * UTC days (`questionRange`), each query stopped at the timeout, and every answer kept in `cache`
 * under its normalised question and project.
 */
export function createAnswers(options: AnswersOptions): Answers {
  const database = plainName(options.database ?? DEFAULTS.database, 'database');
  const now = options.now ?? Date.now;
  const client = withQueryTimeout(options.client, { timeoutMs: options.timeoutMs, kill: options.kill });
  const queries = (project: string | undefined) => createQueries({ client, database, project, now, onQuery: options.onQuery });
  const catalog = (project: string | undefined) => createCatalogQueries(client, { database, project }, options.onQuery);
  const ask = <T>(question: string, project: string | undefined, normalised: Record<string, unknown>, compute: () => Promise<T>, reuse = true): Promise<T> =>
    options.cache.answer(question, JSON.stringify([question, database, project ?? null, normalised]), compute, { reuse });
  const range = (args: RangeArgs) => questionRange(args, now());

  return {
    range,
    funnel(project, args) {
      const { from, to } = range(args);
      const question = { steps: [...args.steps], window: funnelWindowMs(opt(args.window) ?? QUERY_DEFAULTS.funnelWindow), by: opt(args.by), from, to };
      return ask('funnel', project, question, () => queries(project).funnel({ ...question, by: question.by as Actor | undefined }));
    },
    retention(project, args) {
      const { from, to } = range(args);
      const question = {
        start: args.start,
        returning: args.returning,
        period: opt(args.period) ?? QUERY_DEFAULTS.retentionPeriod,
        periods: opt(args.periods) ?? QUERY_DEFAULTS.retentionPeriods,
        by: opt(args.by),
        from,
        to,
      };
      return ask('retention', project, question, () => queries(project).retention({ ...question, by: question.by as Actor | undefined }));
    },
    trends(project, args) {
      const { from, to } = range(args);
      const question = {
        events: set(args.events),
        interval: opt(args.interval) ?? 'day',
        breakdown: opt(args.breakdown),
        users: args.users === true,
        by: opt(args.by),
        from,
        to,
      };
      return ask('trends', project, question, () => queries(project).trends({ ...question, by: question.by as Actor | undefined }));
    },
    topEvents(project, args) {
      const { from, to } = range(args);
      const question = { limit: opt(args.limit) ?? QUERY_DEFAULTS.topEventsLimit, by: opt(args.by), from, to };
      return ask('topEvents', project, question, () => queries(project).topEvents({ ...question, by: question.by as Actor | undefined }));
    },
    users(project, args) {
      const { from, to } = range(args);
      const question = { events: set(args.events), by: opt(args.by), from, to };
      return ask('users', project, question, async () => (await queries(project).uniqueUsers({ ...question, by: question.by as Actor | undefined })).users);
    },
    quarantine(project, args) {
      const question = range(args);
      return ask('quarantine', project, question, () => catalog(project).quarantine(question));
    },
    eventNames(project, args) {
      const question = range(args);
      return ask('eventNames', project, question, () => catalog(project).eventNames(question, options.taxonomy));
    },
    properties(project, args) {
      const question = { ...range(args), event: opt(args.event) };
      return ask('properties', project, question, () => catalog(project).properties(question, question.event, options.taxonomy));
    },
    live(project, minutes) {
      const at = Math.floor(now() / 60_000) * 60_000;
      // What is arriving now: never from memory, but concurrent polls share one query.
      return ask('live', project, { at, minutes }, () => catalog(project).live(at, minutes), false);
    },
  };
}

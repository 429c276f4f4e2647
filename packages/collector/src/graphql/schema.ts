import { GraphQLError } from 'graphql';
import { CollectorError } from '../errors';
import type { ReadGrant } from '../http/read-keys';
import type { Answers } from './answers';
import { QueryTimeoutError } from './query-timeout';

/** The query API's schema. Every range is whole UTC days; see docs/querying.md. */
export const TYPE_DEFS = /* GraphQL */ `
"Who a count counts: a person (every id the events link, the default), or one id column."
enum PersonKey { person distinct_id user_id anonymous_id session_id }
enum Interval { hour day }
enum RetentionPeriod { day week }

type FunnelStep {
  step: String!
  "People who did this step and every one before it, in order, within the window."
  users: Int!
  "users / users of the first step."
  conversion: Float!
  "users / users of the previous step."
  fromPrevious: Float!
}

type RetentionCohort {
  "First day of the cohort's period, YYYY-MM-DD (UTC; weeks start on Monday)."
  cohort: String!
  size: Int!
  "retained[k]: members who came back in period k; null for periods that have not started."
  retained: [Int]!
  rates: [Float]!
}

type Retention { period: RetentionPeriod! periods: Int! cohorts: [RetentionCohort!]! }

type TrendSeries {
  event: String!
  "The breakdown value ('' when empty); null without a breakdown."
  breakdown: String
  "Events per bucket, aligned with Trends.buckets."
  counts: [Int!]!
  "Distinct people (or the ids chosen with by) per bucket, when asked with users: true."
  users: [Int!]
  total: Int!
}

type Trends {
  interval: Interval!
  "The table that answered: events_hourly, events_daily or events."
  source: String!
  "Bucket starts, ISO-8601."
  buckets: [String!]!
  series: [TrendSeries!]!
}

type TopEvent { event: String! count: Int! users: Int! }

type QuarantineCount {
  project: String!
  "Why the events were rejected."
  reason: String!
  "Where in the event: the field that failed."
  path: String!
  count: Int!
  "Newest received_at of these rejections, ISO-8601."
  last: String!
}

type EventName { name: String! count: Int! inTaxonomy: Boolean! }

type LiveMinute { time: String! count: Int! }

"The whole UTC days a question covers: from inclusive, to exclusive."
type Range { from: String! to: String! }

type Query {
  "Conversion through the steps, in order, within window (7d by default)."
  funnel(steps: [String!]!, window: String, since: String, from: String, to: String, by: PersonKey, project: String): [FunnelStep!]!
  retention(start: String!, returning: String!, period: RetentionPeriod, periods: Int, since: String, from: String, to: String, by: PersonKey, project: String): Retention!
  "Events per hour or day, optionally broken down by utm_source, utm_medium, utm_campaign, page_path or a property name."
  trends(events: [String!], interval: Interval, breakdown: String, users: Boolean, since: String, from: String, to: String, by: PersonKey, project: String): Trends!
  topEvents(limit: Int, since: String, from: String, to: String, by: PersonKey, project: String): [TopEvent!]!
  "Distinct people (or the ids chosen with by) who did any of the events (any event when none are named)."
  users(events: [String!], since: String, from: String, to: String, by: PersonKey, project: String): Int!
  "Rejected events, per project, reason and path, by received time."
  quarantine(since: String, from: String, to: String, project: String): [QuarantineCount!]!
  "Event names with events in the range, then the taxonomy's names, for autocompletion."
  eventNames(since: String, from: String, to: String, project: String): [EventName!]!
  "Property names: the taxonomy's for the event, then those stored in the range."
  properties(event: String, since: String, from: String, to: String, project: String): [String!]!
  "Events per minute by received time, over the last minutes (60 by default, at most 1440)."
  live(minutes: Int, project: String): [LiveMinute!]!
  range(since: String, from: String, to: String): Range!
}
`;

export interface GraphqlContext {
  grant: ReadGrant;
}

type Args = Record<string, unknown> & { project?: string | null };

/** The project a field reads: the one asked for, within what the key grants. */
function projectOf(args: Args, grant: ReadGrant): string | undefined {
  const asked = args.project ?? undefined;
  if (grant.project === undefined) return asked;
  if (asked !== undefined && asked !== grant.project) {
    throw new GraphQLError(`this read key reads project "${grant.project}" only, not "${asked}": use a read key of "${asked}" (--read-key KEY=${asked}), or leave project out`, {
      extensions: { code: 'FORBIDDEN', http: { status: 403 } },
    });
  }
  return grant.project;
}

/** Codes of the errors below: the server shows their messages instead of masking them. */
export const OWN_CODES: ReadonlySet<string> = new Set(['FORBIDDEN', 'QUERY_TIMEOUT', 'BAD_USER_INPUT', 'ENGINE_ERROR']);

/** Errors that say what to fix: a bad argument, a timeout, an engine failure. Anything else is masked by the server. */
export function toGraphqlError(error: unknown, field: string): unknown {
  if (error instanceof GraphQLError) return error;
  if (error instanceof CollectorError) {
    if (error.cause instanceof QueryTimeoutError) {
      return new GraphQLError(
        `${field} ran past the ${error.cause.timeoutMs} ms query timeout and ClickHouse stopped it: narrow the range (since, from, to), ask for fewer steps or events, or raise the timeout (queryApi.timeoutMs)`,
        { extensions: { code: 'QUERY_TIMEOUT', timeoutMs: error.cause.timeoutMs } },
      );
    }
    if (error.code === 'config') return new GraphQLError(`${field}: ${error.message}`, { extensions: { code: 'BAD_USER_INPUT' } });
    if (error.code === 'engine') return new GraphQLError(error.message, { extensions: { code: 'ENGINE_ERROR' } });
  }
  return error;
}

const field =
  <A extends Args, R>(name: string, answer: (project: string | undefined, args: A) => Promise<R>) =>
  async (_: unknown, args: A, context: GraphqlContext): Promise<R> => {
    try {
      return await answer(projectOf(args, context.grant), args);
    } catch (error) {
      throw toGraphqlError(error, name);
    }
  };

export function createResolvers(answers: Answers) {
  return {
    Query: {
      funnel: field('funnel', (project, args: Args & Parameters<Answers['funnel']>[1]) => answers.funnel(project, args)),
      retention: field('retention', (project, args: Args & Parameters<Answers['retention']>[1]) => answers.retention(project, args)),
      trends: field('trends', (project, args: Args & Parameters<Answers['trends']>[1]) => answers.trends(project, args)),
      topEvents: field('topEvents', (project, args: Args & Parameters<Answers['topEvents']>[1]) => answers.topEvents(project, args)),
      users: field('users', (project, args: Args & Parameters<Answers['users']>[1]) => answers.users(project, args)),
      quarantine: field('quarantine', (project, args: Args & Parameters<Answers['quarantine']>[1]) => answers.quarantine(project, args)),
      eventNames: field('eventNames', (project, args: Args & Parameters<Answers['eventNames']>[1]) => answers.eventNames(project, args)),
      properties: field('properties', (project, args: Args & Parameters<Answers['properties']>[1]) => answers.properties(project, args)),
      live: field('live', async (project, args: Args & { minutes?: number | null }) => {
        const minutes = args.minutes ?? 60;
        if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
          throw new CollectorError('config', `minutes ${minutes} must be a whole number from 1 to 1440`);
        }
        return answers.live(project, minutes);
      }),
      range: field('range', async (_project, args: Args & Parameters<Answers['range']>[0]) => {
        const { from, to } = answers.range(args);
        return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
      }),
    },
    Trends: { source: (t: { source: string }) => t.source },
    TrendSeries: { breakdown: (s: { breakdown?: string }) => s.breakdown ?? null, users: (s: { users?: number[] }) => s.users ?? null },
  };
}


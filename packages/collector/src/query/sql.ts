import { plainName } from '../clickhouse/identifiers';
import { CollectorError } from '../errors';
import { QUERY_DEFAULTS } from './defaults';
import type { Actor, QuerySource, QueryTable } from './types';

/** A statement and its parameters. Values only ever travel in `params`, never in `query`. */
export interface SqlQuery {
  query: string;
  params: Record<string, unknown>;
  source: QuerySource;
}

/** Who the query is about: the database (an identifier) and an optional project filter. */
export interface QueryScope {
  database: string;
  project: string | undefined;
}

/**
 * Collects parameters while a statement is built: `add('String', v)` returns the `{p0:String}`
 * placeholder and keeps `v` aside. The database travels as `{db:Identifier}`.
 */
export function createParams(scope: QueryScope) {
  const values: Record<string, unknown> = { db: plainName(scope.database, 'database') };
  let next = 0;
  return {
    values,
    /** Whether the statement reads one project only. */
    scoped: scope.project !== undefined,
    add(type: string, value: unknown): string {
      const name = `p${next++}`;
      values[name] = value;
      return `{${name}:${type}}`;
    },
    /** `{db:Identifier}.table`. */
    table(name: QueryTable): string {
      return `{db:Identifier}.${name}`;
    },
    /** `project = {pN:String} AND ` when the scope has a project, else nothing. */
    projectFilter(): string {
      return scope.project === undefined ? '' : `project = ${this.add('String', scope.project)} AND `;
    },
  };
}

export type Params = ReturnType<typeof createParams>;

export const TIME = "DateTime64(3, 'UTC')";

export const ACTORS: readonly Actor[] = ['person', 'distinct_id', 'user_id', 'anonymous_id', 'session_id'];

/** Who a query counts, checked: `person` by default, else one of the id columns of `events`. */
export function resolveActor(by: Actor | undefined): Actor {
  const actor = by ?? QUERY_DEFAULTS.actor;
  if (ACTORS.includes(actor)) return actor;
  throw new CollectorError('config', `by "${String(by)}" is not an actor: use ${ACTORS.join(', ')}`);
}

/** `event IN {pN:Array(String)}` for a list of names, or `event != ''` (every named event) for none. */
export function eventFilter(params: Params, events: readonly string[] | undefined): string {
  if (events === undefined || events.length === 0) return "event != ''";
  return `event IN ${params.add('Array(String)', [...events])}`;
}

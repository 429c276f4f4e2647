import { parseArgs } from 'node:util';
import type { Engine, EngineOptions } from '../clickhouse/engine';
import { createEngine } from '../clickhouse/engine';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import { createQueries } from './create-queries';
import { QUERY_DEFAULTS } from './defaults';
import { parseDuration } from '../duration';
import { funnelTable, retentionTable, topEventsTable, trendsTable } from './terminal-table';
import { ACTORS } from './sql';
import { toMillis } from './time-range';
import type { Actor, Queries, RetentionPeriod, TrendInterval } from './types';

/** Where `sluice query` writes. `process` fits as it is: `runQueryCommand(argv, process)`. */
export interface QueryCommandIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

/** What tests replace: how an engine is opened, and the clock. */
export interface QueryCommandDeps {
  openEngine?: (options: EngineOptions) => Promise<Engine>;
  now?: () => number;
}

const USAGE = `Usage: sluice query <funnel|retention|trends|top|users> [options]

  funnel     --steps "Page Viewed,Signup Completed,Order Placed" [--window ${QUERY_DEFAULTS.funnelWindow}]
  retention  --start EVENT --returning EVENT [--period day|week (${QUERY_DEFAULTS.retentionPeriod})] [--periods ${QUERY_DEFAULTS.retentionPeriods}]
  trends     [--events "A,B"] [--interval hour|day (day)] [--breakdown utm_source|utm_medium|utm_campaign|page_path|PROPERTY] [--users]
  top        [--limit ${QUERY_DEFAULTS.topEventsLimit}]
  users      [--events "A,B"]
Who:        --by ${ACTORS.join('|')} (default ${QUERY_DEFAULTS.actor}: every id the events link, docs/identity.md)

Range:      --since 30d (default), or --from ISO-8601 [--to ISO-8601]
Connection: --embedded DIR (default ${DEFAULTS.embeddedPath}) or --clickhouse URL, --database NAME (default ${DEFAULTS.database}), --project NAME
Output:     a table with bars, or --json for scripts
`;

const OPTIONS = {
  embedded: { type: 'string' },
  clickhouse: { type: 'string' },
  database: { type: 'string' },
  project: { type: 'string' },
  since: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  steps: { type: 'string' },
  window: { type: 'string' },
  by: { type: 'string' },
  start: { type: 'string' },
  returning: { type: 'string' },
  period: { type: 'string' },
  periods: { type: 'string' },
  events: { type: 'string' },
  interval: { type: 'string' },
  breakdown: { type: 'string' },
  limit: { type: 'string' },
  users: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

const COMMANDS = ['funnel', 'retention', 'trends', 'top', 'users'] as const;
type Command = (typeof COMMANDS)[number];

/** A usage mistake (exit code 2). */
function usage(message: string): CollectorError {
  return new CollectorError('config', message);
}

/**
 * `sluice query …`: answers one question and prints it. Resolves to the exit code: 0, 1 when the
 * engine or the query fails, 2 for bad flags.
 */
export async function runQueryCommand(argv: readonly string[], io: QueryCommandIo, deps: QueryCommandDeps = {}): Promise<number> {
  let values: Values;
  let command: Command;
  try {
    const parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    values = parsed.values;
    if (values.help || parsed.positionals.length === 0) {
      io.stdout.write(USAGE);
      return values.help ? 0 : 2;
    }
    const name = parsed.positionals[0] ?? '';
    if (!(COMMANDS as readonly string[]).includes(name) || parsed.positionals.length > 1) {
      throw usage(`unknown query "${parsed.positionals.join(' ')}": use one of ${COMMANDS.join(', ')}`);
    }
    command = name as Command;
    if (values.embedded !== undefined && values.clickhouse !== undefined) {
      throw usage('pass either --embedded DIR or --clickhouse URL, not both');
    }
  } catch (error) {
    io.stderr.write(`sluice query: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }

  let run: (queries: Queries) => Promise<Output>;
  try {
    const now = (deps.now ?? Date.now)();
    run = plan(command, values, resolveCliRange(values, now));
    deps = { ...deps, now: () => now };
  } catch (error) {
    io.stderr.write(`sluice query: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }

  let engine: Engine | undefined;
  try {
    const open = deps.openEngine ?? createEngine;
    const database = values.database ?? DEFAULTS.database;
    engine = await open(
      values.clickhouse !== undefined
        ? { clickhouse: { url: values.clickhouse }, database }
        : { embedded: { path: values.embedded ?? DEFAULTS.embeddedPath }, database },
    );
    const queries = createQueries({ client: engine.client, database: engine.database, project: values.project, now: deps.now });
    const output = await run(queries);
    io.stdout.write(values.json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.text}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`sluice query: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof CollectorError && error.code === 'config' ? 2 : 1;
  } finally {
    await engine?.close().catch(() => {});
  }
}

/** `--from/--to` when given, else the `--since` duration (30d) back from now. */
export function resolveCliRange(values: Pick<Values, 'since' | 'from' | 'to'>, now: number): { from: number; to: number } {
  if (values.since !== undefined && values.from !== undefined) throw usage('pass either --since or --from, not both');
  const to = values.to === undefined ? now : toMillis(values.to, '--to');
  const from = values.from !== undefined ? toMillis(values.from, '--from') : to - parseDuration(values.since ?? QUERY_DEFAULTS.sinceMs, '--since');
  return { from, to };
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return items.length > 0 ? items : undefined;
}

function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usage(`${flag} "${value}" must be a whole number`);
  return Number(value);
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw usage(`${flag} "${value}" must be one of ${allowed.join(', ')}`);
  return value as T;
}

interface Output {
  json: unknown;
  text: string;
}

/** Checks every flag of the question up front, so that bad flags fail before an engine opens. */
function plan(command: Command, values: Values, range: { from: number; to: number }): (queries: Queries) => Promise<Output> {
  const by = oneOf<Actor>(values.by, ACTORS, '--by');
  switch (command) {
    case 'funnel': {
      const steps = list(values.steps);
      if (!steps) throw usage('funnel needs --steps "First Event,Second Event,…"');
      const window = values.window ?? QUERY_DEFAULTS.funnelWindow;
      parseDuration(window, 'funnel window');
      return async (queries) => {
        const result = await queries.funnel({ steps, window, by, ...range });
        const head = `Funnel over ${span(range)}, window ${window}${by ? `, by ${by}` : ''}`;
        return { json: result, text: `${head}\n\n${funnelTable(result)}` };
      };
    }
    case 'retention': {
      const { start, returning } = values;
      if (!start || !returning) throw usage('retention needs --start EVENT and --returning EVENT');
      const period = oneOf<RetentionPeriod>(values.period, ['day', 'week'], '--period');
      const periods = wholeNumber(values.periods, '--periods');
      return async (queries) => {
        const result = await queries.retention({ start, returning, period, periods, by, ...range });
        const head = `Retention: "${start}" then "${returning}", by ${result.period}, cohorts over ${span(range)}`;
        return { json: result, text: `${head}\n\n${retentionTable(result)}` };
      };
    }
    case 'trends': {
      const interval = oneOf<TrendInterval>(values.interval, ['hour', 'day'], '--interval');
      const events = list(values.events);
      return async (queries) => {
        const result = await queries.trends({ events, interval, breakdown: values.breakdown, users: values.users === true, by, ...range });
        return { json: result, text: result.series.length === 0 ? `No events over ${span(range)}.` : trendsTable(result) };
      };
    }
    case 'top': {
      const limit = wholeNumber(values.limit, '--limit');
      return async (queries) => {
        const result = await queries.topEvents({ limit, by, ...range });
        return { json: result, text: `Top events over ${span(range)}${by ? `, users by ${by}` : ''}\n\n${topEventsTable(result)}` };
      };
    }
    case 'users': {
      const events = list(values.events);
      return async (queries) => {
        const result = await queries.uniqueUsers({ events, by, ...range });
        const who = by === undefined || by === 'person' ? 'people' : `${by} values`;
        return { json: result, text: `${result.users.toLocaleString('en-US')} unique ${who} over ${span(range)}` };
      };
    }
  }
}

function span(range: { from: number; to: number }): string {
  const iso = (ms: number): string => new Date(ms).toISOString().replace(/:\d\d\.\d{3}Z$/, 'Z').replace('T', ' ');
  return `${iso(range.from)} → ${iso(range.to)}`;
}

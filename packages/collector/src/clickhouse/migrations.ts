import type { ClickHouseClient } from '@clickhouse/client';
import type { AnyTaxonomy } from '@sluice/schema';
import { propertyTypeHints } from '@sluice/schema';
import { DEFAULTS } from '../defaults';
import { CollectorError } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import type { DdlContext } from './ddl-dialect';
import { onCluster, tableEngine } from './ddl-dialect';
import { createEvents, createQuarantine } from './ddl-events';
import { createEventsById } from './ddl-events-by-id';
import { ALIASES, createIdentityEdges, LINKS } from './ddl-identity';
import { createIdentityLinkKeys } from './ddl-identity-keys';
import { createRollup, DAILY, HOURLY } from './ddl-rollups';
import { identifier } from './identifiers';
import type { PropertyHintsOutcome } from './property-hints';
import { applyPropertyHints } from './property-hints';
import { TABLES } from './tables';

export interface MigrateOptions {
  /** Database to create and migrate; `sluice` by default. */
  database?: string;
  /**
   * The taxonomy whose property types become type hints of the `properties` JSON column: when the
   * table is created, and on every later run whose taxonomy's hints differ from the column's
   * (recorded in `schema_migrations`; see `applyPropertyHints`). Without a taxonomy the column is
   * left as it is.
   */
  taxonomy?: AnyTaxonomy;
  /** Emit `ON CLUSTER <cluster>` with Replicated engines and Distributed tables. */
  cluster?: string;
  /** Days kept by the TTLs; 0 disables one. Applied when a table is created. */
  ttl?: { eventsDays?: number; quarantineDays?: number };
  dedupWindowBlocks?: number;
  logger?: Logger;
}

export interface MigrateResult {
  /** Names of the migrations this run applied, in order. */
  applied: string[];
  /** Names of the migrations already recorded, left alone. */
  skipped: string[];
  /** Whether the taxonomy's property types were applied, or why they could not be. */
  propertyHints: PropertyHintsOutcome;
}

export interface Migration {
  version: number;
  name: string;
  statements(ctx: DdlContext): string[];
}

/** Numbered, append-only. Never edit a released migration: add the next number. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '0001_events', statements: createEvents },
  { version: 2, name: '0002_events_quarantine', statements: createQuarantine },
  { version: 3, name: '0003_events_hourly', statements: (ctx) => createRollup(ctx, HOURLY) },
  { version: 4, name: '0004_events_daily', statements: (ctx) => createRollup(ctx, DAILY) },
  { version: 5, name: '0005_identity_links', statements: (ctx) => createIdentityEdges(ctx, LINKS) },
  { version: 6, name: '0006_identity_aliases', statements: (ctx) => createIdentityEdges(ctx, ALIASES) },
  { version: 7, name: '0007_events_by_id', statements: createEventsById },
  { version: 8, name: '0008_identity_link_keys', statements: createIdentityLinkKeys },
];

export function ddlContext(options: MigrateOptions = {}): DdlContext {
  const dbName = options.database ?? DEFAULTS.database;
  if (options.cluster !== undefined) identifier(options.cluster, 'cluster');
  return {
    db: identifier(dbName, 'database'),
    dbName,
    cluster: options.cluster,
    ttl: {
      eventsDays: options.ttl?.eventsDays ?? DEFAULTS.eventsTtlDays,
      quarantineDays: options.ttl?.quarantineDays ?? DEFAULTS.quarantineTtlDays,
    },
    propertyHints: options.taxonomy ? propertyTypeHints(options.taxonomy) : {},
    dedupWindowBlocks: options.dedupWindowBlocks ?? DEFAULTS.dedupWindowBlocks,
  };
}

/** The database and the migrations log, created on every run (both idempotent, never recorded). */
export function bootstrapStatements(ctx: DdlContext): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${ctx.db}${onCluster(ctx)}`,
    `CREATE TABLE IF NOT EXISTS ${ctx.db}.${TABLES.migrations}${onCluster(ctx)} (
  version UInt32,
  name String,
  applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ${tableEngine(ctx, 'ReplacingMergeTree', TABLES.migrations, true)}
ORDER BY version`,
  ];
}

/**
 * Brings the schema up to date. Each migration's statements are idempotent (`IF NOT EXISTS`), so a
 * run interrupted between a statement and its record is safe to repeat.
 */
export async function migrate(client: ClickHouseClient, options: MigrateOptions = {}): Promise<MigrateResult> {
  const ctx = ddlContext(options);
  const logger = options.logger ?? silentLogger;
  for (const statement of bootstrapStatements(ctx)) await run(client, statement, 'bootstrap');
  const rows = await client
    .query({ query: `SELECT version FROM ${ctx.db}.${TABLES.migrations}`, format: 'JSONEachRow' })
    .then((result) => result.json<{ version: number }>())
    .catch((error: unknown) => {
      throw failure('reading the migrations log', error);
    });
  const done = new Set(rows.map((row) => Number(row.version)));
  const result: MigrateResult = { applied: [], skipped: [], propertyHints: { refused: [] } };
  for (const migration of MIGRATIONS) {
    if (done.has(migration.version)) {
      result.skipped.push(migration.name);
      continue;
    }
    for (const statement of migration.statements(ctx)) await run(client, statement, migration.name);
    await run(
      client,
      `INSERT INTO ${ctx.db}.${TABLES.migrations} (version, name) VALUES (${migration.version}, '${migration.name}')`,
      migration.name,
    );
    logger.info({ migration: migration.name, database: ctx.dbName }, 'applied migration');
    result.applied.push(migration.name);
  }
  if (options.taxonomy !== undefined) {
    result.propertyHints = await applyPropertyHints(client, ctx).catch((error: unknown) => {
      throw failure('applying the taxonomy\'s property types', error);
    });
    if (result.propertyHints.applied !== undefined) {
      logger.info({ database: ctx.dbName, properties: result.propertyHints.applied }, 'applied the taxonomy\'s property types');
    }
    for (const reason of result.propertyHints.refused) logger.warn({ database: ctx.dbName }, reason);
  }
  return result;
}

async function run(client: ClickHouseClient, query: string, step: string): Promise<void> {
  try {
    await client.command({ query });
  } catch (error) {
    throw failure(`migration ${step}`, error);
  }
}

function failure(step: string, error: unknown): CollectorError {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new CollectorError(
    'engine',
    `${step} failed: ${message}; check that ClickHouse is 25.3 or later and the user may create tables`,
    { cause: error },
  );
}

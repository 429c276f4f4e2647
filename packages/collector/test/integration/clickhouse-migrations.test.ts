import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTaxonomy } from '@sluice/schema';
import type { Engine } from '../../src/clickhouse/index';
import { createEngine, migrate, MIGRATIONS } from '../../src/clickhouse/index';
import { rows, tempDir } from './clickhouse-fixtures';

const dir = tempDir('migrations');
let engine: Engine;

const taxonomy = defineTaxonomy({
  events: {
    'Order Completed': z.object({
      plan: z.enum(['free', 'pro']),
      total: z.number(),
      items: z.int(),
      gift: z.boolean(),
      shipped_at: z.iso.datetime(),
      cart: z.object({ coupon: z.string() }),
    }),
  },
});

beforeAll(async () => {
  engine = await createEngine({ embedded: { path: dir.path }, database: 'analytics' });
});

afterAll(async () => {
  await engine.close();
  dir.remove();
});

describe('migrate on chdb', () => {
  it('applies every migration once, then nothing', async () => {
    const first = await migrate(engine.client, { database: 'analytics', taxonomy });
    expect(first).toEqual({ applied: MIGRATIONS.map((m) => m.name), skipped: [], propertyHints: { refused: [] } });
    // The same taxonomy again: its hints are the column's already, so nothing is altered or recorded.
    const second = await migrate(engine.client, { database: 'analytics', taxonomy });
    expect(second).toEqual({ applied: [], skipped: MIGRATIONS.map((m) => m.name), propertyHints: { refused: [] } });
    const log = await rows<{ version: number; name: string }>(
      engine.client,
      'SELECT version, name FROM analytics.schema_migrations FINAL ORDER BY version',
    );
    expect(log.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('creates events with exactly the DESIGN columns and types', async () => {
    const columns = await rows<{ name: string; type: string }>(
      engine.client,
      "SELECT name, type FROM system.columns WHERE database = 'analytics' AND table = 'events' ORDER BY position",
    );
    const time = "DateTime64(3, 'UTC')";
    const low = 'LowCardinality(String)';
    const expected: Record<string, string> = {
      project: low, message_id: 'String', type: low, event: low,
      user_id: 'String', anonymous_id: 'String', distinct_id: 'String', session_id: 'String',
      group_id: 'String', previous_id: 'String',
      timestamp: time, original_timestamp: time, sent_at: time, received_at: time,
      traits: 'JSON', context: 'JSON',
      // page_path is LowCardinality since the storage pass (a site's paths are few; same SQL).
      page_url: 'String', page_path: low, referrer: 'String',
      utm_source: low, utm_medium: low, utm_campaign: low, locale: low, library_name: low, library_version: low,
    };
    const byName = Object.fromEntries(columns.map((c) => [c.name, c.type]));
    expect(Object.keys(byName).sort()).toEqual([...Object.keys(expected), 'properties'].sort());
    for (const [name, type] of Object.entries(expected)) expect([name, byName[name]]).toEqual([name, type]);
    // The taxonomy's types became JSON path hints; LowCardinality, Bool and DateTime64 are accepted as such.
    expect(byName.properties).toBe(
      'JSON(`cart.coupon` String, gift Bool, items Int64, plan LowCardinality(String), shipped_at DateTime64(3), total Float64)',
    );
  });

  it('creates rollups, quarantine and a deduplicating, TTL-bound events table', async () => {
    const tables = await rows<{ name: string; engine: string; sorting_key: string; create_table_query: string }>(
      engine.client,
      "SELECT name, engine, sorting_key, create_table_query FROM system.tables WHERE database = 'analytics' ORDER BY name",
    );
    const engines = Object.fromEntries(tables.map((t) => [t.name, t.engine]));
    expect(engines).toEqual({
      events: 'ReplacingMergeTree',
      events_by_id: 'MergeTree',
      events_by_id_mv: 'MaterializedView',
      events_daily: 'AggregatingMergeTree',
      events_daily_mv: 'MaterializedView',
      events_hourly: 'AggregatingMergeTree',
      events_hourly_mv: 'MaterializedView',
      events_quarantine: 'MergeTree',
      identity_aliases: 'AggregatingMergeTree',
      identity_aliases_mv: 'MaterializedView',
      identity_link_keys: 'AggregatingMergeTree',
      identity_link_keys_mv: 'MaterializedView',
      identity_links: 'AggregatingMergeTree',
      identity_links_mv: 'MaterializedView',
      schema_migrations: 'ReplacingMergeTree',
    });
    const events = tables.find((t) => t.name === 'events');
    // By day, then user: a user's events of a day form one run (docs/storage.md).
    expect(events?.sorting_key).toBe('project, toDate(timestamp), distinct_id, message_id');
    expect(events?.create_table_query).toMatch(/PARTITION BY toYYYYMM\(timestamp\)/);
    expect(events?.create_table_query).toMatch(/TTL toDateTime\(timestamp\) \+ toIntervalDay\(365\)/);
    expect(events?.create_table_query).toMatch(/non_replicated_deduplication_window = 10000/);
    // The rollups keep a dedup window too, so a re-sent batch's MV block is dropped like its events block.
    expect(tables.find((t) => t.name === 'events_by_id')?.sorting_key).toBe('project, distinct_key, timestamp');
    for (const name of ['events_hourly', 'events_daily', 'events_by_id']) {
      expect(tables.find((t) => t.name === name)?.create_table_query).toMatch(/non_replicated_deduplication_window = 10000/);
    }
    const quarantine = tables.find((t) => t.name === 'events_quarantine');
    expect(quarantine?.create_table_query).toMatch(/TTL toDateTime\(received_at\) \+ toIntervalDay\(30\)/);
    const quarantineColumns = await rows<{ name: string }>(
      engine.client,
      "SELECT name FROM system.columns WHERE database = 'analytics' AND table = 'events_quarantine' ORDER BY position",
    );
    expect(quarantineColumns.map((c) => c.name)).toEqual(['project', 'received_at', 'message_id', 'reason', 'path', 'raw']);
  });

  it('honours TTL options and the default database', async () => {
    await migrate(engine.client, { ttl: { eventsDays: 0, quarantineDays: 7 } });
    const [events] = await rows<{ q: string }>(engine.client, "SELECT create_table_query AS q FROM system.tables WHERE database = 'sluice' AND name = 'events'");
    const [quarantine] = await rows<{ q: string }>(engine.client, "SELECT create_table_query AS q FROM system.tables WHERE database = 'sluice' AND name = 'events_quarantine'");
    expect(events?.q).not.toMatch(/TTL/);
    expect(events?.q).toMatch(/`properties` JSON CODEC/);
    expect(quarantine?.q).toMatch(/toIntervalDay\(7\)/);
  });
});

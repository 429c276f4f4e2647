import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTaxonomy } from '@sluice/schema';
import { bootstrapStatements, ddlContext, MIGRATIONS } from './migrations';
import { propertiesType } from './ddl-events';

const clusterSql = () => {
  const ctx = ddlContext({ database: 'analytics', cluster: 'prod' });
  return [...bootstrapStatements(ctx), ...MIGRATIONS.flatMap((m) => m.statements(ctx))];
};

describe('cluster DDL', () => {
  it('puts every statement ON CLUSTER', () => {
    for (const statement of clusterSql().filter((s) => !s.startsWith('INSERT'))) {
      expect(statement).toMatch(/^CREATE \S+(?: VIEW)? IF NOT EXISTS \S+ ON CLUSTER `prod`/);
    }
  });

  it('stores events in a replicated, deduplicating local table behind a Distributed events table', () => {
    const sql = clusterSql().join('\n;\n');
    expect(sql).toContain(
      "CREATE TABLE IF NOT EXISTS `analytics`.events_local ON CLUSTER `prod` (",
    );
    expect(sql).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/events_local', '{replica}')");
    expect(sql).toContain('replicated_deduplication_window = 10000');
    expect(sql).not.toContain('non_replicated_deduplication_window');
    expect(sql).toContain(
      "CREATE TABLE IF NOT EXISTS `analytics`.events ON CLUSTER `prod` AS `analytics`.events_local\nENGINE = Distributed('prod', 'analytics', 'events_local', cityHash64(distinct_id))",
    );
    expect(sql).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/events_quarantine_local', '{replica}')");
    expect(sql).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/schema_migrations', '{replica}')");
  });

  it('keeps rollups per shard: MVs read the local events and write replicated aggregating tables', () => {
    const sql = clusterSql().join('\n;\n');
    expect(sql).toContain("ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/events_hourly_local', '{replica}')");
    expect(sql).toContain('CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.events_hourly_mv ON CLUSTER `prod` TO `analytics`.events_hourly_local AS');
    expect(sql).toContain('FROM `analytics`.events_local');
    expect(sql).toContain("ENGINE = Distributed('prod', 'analytics', 'events_daily_local', rand())");
  });

  it('gives the rollups the same dedup window as events, on a cluster and on one node', () => {
    const cluster = clusterSql().filter((s) => /^CREATE TABLE IF NOT EXISTS \S+\.events_(hourly|daily)_local /.test(s));
    expect(cluster).toHaveLength(2);
    for (const statement of cluster) expect(statement).toMatch(/ORDER BY \([^)]*\)\nSETTINGS replicated_deduplication_window = 10000$/);
    const ctx = ddlContext({});
    const single = MIGRATIONS.flatMap((m) => m.statements(ctx)).filter((s) => /^CREATE TABLE IF NOT EXISTS \S+\.events_(hourly|daily) /.test(s));
    expect(single).toHaveLength(2);
    for (const statement of single) {
      expect(statement).toContain('events SimpleAggregateFunction(sum, UInt64)');
      expect(statement).toMatch(/SETTINGS non_replicated_deduplication_window = 10000$/);
    }
    const mvs = MIGRATIONS.flatMap((m) => m.statements(ctx)).filter((s) => /^CREATE MATERIALIZED VIEW IF NOT EXISTS \S+\.events_(hourly|daily)_mv/.test(s));
    expect(mvs).toHaveLength(2);
    for (const mv of mvs) expect(mv).toContain('count() AS events, uniqState(distinct_id) AS users');
  });

  it('keeps events_by_id like events: same dedup window and TTL, on the shard of its events, backfilled', () => {
    const single = MIGRATIONS.flatMap((m) => m.statements(ddlContext({ ttl: { eventsDays: 90 } })));
    const table = single.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS `sluice`.events_by_id '));
    expect(table).toContain('ORDER BY (project, distinct_key, timestamp)\nTTL toDateTime(timestamp) + INTERVAL 90 DAY');
    expect(table).toMatch(/SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1$/);
    expect(single.find((s) => s.includes('events_by_id_mv'))).toContain('cityHash64(distinct_id) AS distinct_key');
    const cluster = clusterSql();
    expect(cluster.find((s) => /^CREATE TABLE IF NOT EXISTS \S+\.events_by_id_local /.test(s))).toContain('ReplicatedMergeTree(');
    expect(cluster.find((s) => /^CREATE TABLE IF NOT EXISTS \S+\.events_by_id ON CLUSTER/.test(s))).toMatch(/Distributed\('prod', 'analytics', 'events_by_id_local', distinct_key\)$/);
    expect(cluster.find((s) => s.startsWith('INSERT INTO `analytics`.events_by_id\n'))).toMatch(/FROM `analytics`\.events\n/);
  });

  it('keeps the identity graph per shard, backfilled through the Distributed tables', () => {
    const sql = clusterSql().join('\n;\n');
    for (const table of ['identity_links', 'identity_aliases']) {
      expect(sql).toContain(`ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/${table}_local', '{replica}')`);
      expect(sql).toContain(`CREATE MATERIALIZED VIEW IF NOT EXISTS \`analytics\`.${table}_mv ON CLUSTER \`prod\` TO \`analytics\`.${table}_local AS`);
      expect(sql).toContain(`ENGINE = Distributed('prod', 'analytics', '${table}_local', cityHash64(id))`);
      expect(sql).toContain(`INSERT INTO \`analytics\`.${table}\nSELECT`);
    }
    expect(sql).toContain('FROM `analytics`.events\nWHERE user_id');
  });

  it('keeps the links in id keys beside identity_links, with the same rule, per shard, backfilled', () => {
    const single = MIGRATIONS.flatMap((m) => m.statements(ddlContext({})));
    const table = single.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS `sluice`.identity_link_keys '));
    expect(table).toContain('first SimpleAggregateFunction(min, UInt128)');
    expect(table).toContain('ENGINE = AggregatingMergeTree\nORDER BY (project, key)');
    const view = single.find((s) => s.includes('identity_link_keys_mv'));
    expect(view).toContain('cityHash64(anonymous_id) AS key');
    expect(view).toContain("WHERE user_id != '' AND anonymous_id != '' AND anonymous_id != user_id");
    const sql = clusterSql().join('\n;\n');
    expect(sql).toContain("ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/identity_link_keys_local', '{replica}')");
    expect(sql).toContain("ENGINE = Distributed('prod', 'analytics', 'identity_link_keys_local', key)");
    expect(sql).toContain('INSERT INTO `analytics`.identity_link_keys\nSELECT');
  });

  it('emits no cluster clauses on one node', () => {
    const ctx = ddlContext({});
    const sql = [...bootstrapStatements(ctx), ...MIGRATIONS.flatMap((m) => m.statements(ctx))].join('\n');
    expect(sql).not.toMatch(/ON CLUSTER|Replicated|Distributed|_local/);
    expect(sql).toContain('non_replicated_deduplication_window = 10000');
  });

  it('refuses names that would need escaping', () => {
    expect(() => ddlContext({ database: 'a; DROP' })).toThrow(/not a plain ClickHouse name/);
    expect(() => ddlContext({ cluster: 'x`y' })).toThrow(/cluster/);
  });
});

describe('properties type hints', () => {
  it('backtick-quotes taxonomy paths, sorted', () => {
    const taxonomy = defineTaxonomy({ events: { A: z.object({ 'odd`key': z.string(), cart: z.object({ total: z.number() }) }) } });
    expect(propertiesType(ddlContext({ taxonomy }).propertyHints)).toBe('JSON(`cart.total` Float64, `odd\\`key` String)');
    expect(propertiesType({})).toBe('JSON');
  });
});

import { describe, expect, it } from 'vitest';
import { buildFunnelQuery } from './funnel';
import { buildRetentionQuery } from './retention';
import type { SqlQuery } from './sql';
import { plainName } from '../clickhouse/identifiers';
import { resolveActor } from './sql';
import { buildTopEventsQuery, buildUniqueUsersQuery } from './totals';
import { buildTrendsQuery, trendsSource } from './trends';

const HOSTILE = "x'); DROP TABLE events; --";
const scope = { database: 'analytics', project: HOSTILE };
const from = Date.parse('2024-03-04T10:15:00Z');
const to = Date.parse('2024-03-06T09:05:00Z');

/** Every value must be a parameter: no quote, no hostile text, no time literal in the SQL. */
function expectParameterised(sql: SqlQuery): void {
  expect(sql.query).not.toContain("'x");
  expect(sql.query).not.toContain('DROP');
  expect(sql.query).not.toContain('2024-03');
  expect(sql.query).not.toContain('analytics');
  expect(sql.query).toContain('{db:Identifier}.');
  expect(sql.params.db).toBe('analytics');
  expect(Object.values(sql.params)).toContain(HOSTILE);
  for (const name of sql.query.match(/\{(\w+):/g) ?? []) expect(sql.params).toHaveProperty(name.slice(1, -1));
}

describe('SQL builders', () => {
  it('build the funnel with placeholders only', () => {
    const sql = buildFunnelQuery(scope, { steps: [HOSTILE, 'B'], windowMs: 7 * 86_400_000, from, to });
    expectParameterised(sql);
    expect(sql.query).toMatch(/windowFunnel\(\{p\d+:UInt64\}\)/);
    expect(Object.values(sql.params)).toContain(604_800_000);
    expect(Object.values(sql.params)).toContain('2024-03-04 10:15:00.000');
    expect(sql.source).toBe('events_by_id');
    expect(sql.query).toContain('{db:Identifier}.events_by_id');
  });

  it('build retention, trends, top events and unique users with placeholders only', () => {
    expectParameterised(buildRetentionQuery(scope, { start: HOSTILE, returning: 'b', period: 'week', periods: 4, from, to }));
    for (const breakdown of [undefined, 'utm_source', HOSTILE]) {
      for (const interval of ['hour', 'day'] as const) {
        const sql = buildTrendsQuery(scope, { events: ['a'], interval, from, to, breakdown });
        expectParameterised(sql);
        expect(sql.source).toBe(trendsSource({ interval, breakdown }));
      }
    }
    for (const by of ['person', 'distinct_id'] as const) {
      expectParameterised(buildTrendsQuery(scope, { interval: 'day', from, to, users: true, by }));
      expectParameterised(buildTopEventsQuery(scope, { from, to, limit: 5, by }));
      expectParameterised(buildUniqueUsersQuery(scope, { from, to, events: [HOSTILE], by }));
    }
  });

  it('plan trends onto the rollup that holds the question', () => {
    expect(trendsSource({ interval: 'hour' })).toBe('events_hourly');
    expect(trendsSource({ interval: 'day' })).toBe('events_hourly');
    expect(trendsSource({ interval: 'day', breakdown: 'page_path' })).toBe('events_daily');
    expect(trendsSource({ interval: 'day', breakdown: 'utm_campaign' })).toBe('events_daily');
    expect(trendsSource({ interval: 'hour', breakdown: 'utm_source' })).toBe('events');
    expect(trendsSource({ interval: 'day', breakdown: 'plan' })).toBe('events');
  });

  it('read top events from the rollup plus ragged ends, or from events inside one hour', () => {
    expect(buildTopEventsQuery(scope, { from, to, limit: 5, by: 'distinct_id' }).source).toBe('events_hourly');
    expect(buildTopEventsQuery(scope, { from, to: from + 60_000, limit: 5, by: 'distinct_id' }).source).toBe('events');
  });

  it('count people by default, from events_by_id joined to the identity graph', () => {
    for (const [sql, source] of [
      [buildFunnelQuery(scope, { steps: ['A', 'B'], windowMs: 1000, from, to }), 'events_by_id'],
      [buildRetentionQuery(scope, { start: 'a', returning: 'b', period: 'week', periods: 4, from, to }), 'events_by_id'],
      // Trends count events in the hourly rollup, and people in events_by_id.
      [buildTrendsQuery(scope, { interval: 'day', from, to, users: true }), 'events_by_id'],
      [buildTopEventsQuery(scope, { from, to, limit: 5 }), 'events_by_id'],
      [buildUniqueUsersQuery(scope, { from, to }), 'events_by_id'],
    ] as const) {
      expect(sql.source).toBe(source);
      expect(sql.query).toContain('{db:Identifier}.events_by_id');
      expect(sql.query).toMatch(/^WITH RECURSIVE/);
      expect(sql.query).toContain('{db:Identifier}.identity_link_keys');
      expect(sql.query).toContain('{db:Identifier}.identity_aliases');
    }
    expect(buildTrendsQuery(scope, { interval: 'day', from, to }).source).toBe('events_hourly');
    expect(buildTrendsQuery(scope, { interval: 'day', from, to, users: true, by: 'distinct_id' }).source).toBe('events_hourly');
    expect(buildTrendsQuery(scope, { interval: 'hour', from, to, users: true }).query).toContain('{db:Identifier}.events_hourly');
    const sessions = buildTrendsQuery(scope, { interval: 'hour', from, to, users: true, by: 'session_id' });
    expect([sessions.source, sessions.query.includes('{db:Identifier}.events_hourly')]).toEqual(['events', true]);
    expect(buildTrendsQuery(scope, { interval: 'day', from, to, users: true, breakdown: 'utm_source' }).query).not.toContain('events_hourly');
    const bySession = buildFunnelQuery(scope, { steps: ['A'], windowMs: 1000, from, to, by: 'session_id' });
    expect(bySession.query).not.toContain('identity_');
    expect(bySession.source).toBe('events');
    // A breakdown needs columns that events_by_id does not hold.
    expect(buildTrendsQuery(scope, { interval: 'day', from, to, users: true, breakdown: 'plan' }).query).not.toContain('events_by_id');
  });

  it('refuse identifiers and actors outside their allow-lists', () => {
    expect(() => plainName('sluice; DROP', 'database')).toThrow(/not a plain ClickHouse name/);
    expect(() => resolveActor('1=1' as never)).toThrow(/not an actor/);
    expect(resolveActor(undefined)).toBe('person');
    expect(() => buildFunnelQuery(scope, { steps: [], windowMs: 1, from, to })).toThrow(/1 to 32 steps/);
    expect(() => buildTopEventsQuery(scope, { from, to, limit: 0 })).toThrow(/limit 0/);
  });
});

import { describe, expect, it } from 'vitest';
import type { Engine, EngineOptions } from '../clickhouse/engine';
import { resolveCliRange, runQueryCommand } from './cli';

const NOW = Date.parse('2024-03-31T12:00:00Z');

/** An engine whose client answers every query with `rows`, recording what it was asked. */
function fakeEngine(rows: Array<Record<string, unknown>>) {
  const calls: Array<{ query: string; query_params: Record<string, unknown> }> = [];
  const opened: EngineOptions[] = [];
  let closed = 0;
  const client = {
    async query(params: { query: string; query_params: Record<string, unknown> }) {
      calls.push(params);
      return { json: async () => rows };
    },
  };
  const openEngine = async (options: EngineOptions): Promise<Engine> => {
    opened.push(options);
    return { client: client as never, database: options.database ?? 'sluice', kind: 'embedded', close: async () => void closed++ };
  };
  return { calls, opened, openEngine, closed: () => closed };
}

function capture() {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } },
    out: () => out,
    err: () => err,
  };
}

describe('sluice query', () => {
  it('prints a funnel as JSON, one object per step, against --embedded', async () => {
    const engine = fakeEngine([
      { level: 1, actors: '2' },
      { level: 3, actors: '1' },
    ]);
    const c = capture();
    const code = await runQueryCommand(
      ['funnel', '--steps', 'Signup Completed, Activated ,Order Placed', '--window', '7d', '--since', '30d', '--embedded', '/tmp/x', '--project', 'web', '--json'],
      c.io,
      { openEngine: engine.openEngine, now: () => NOW },
    );
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    expect(engine.opened).toEqual([{ embedded: { path: '/tmp/x' }, database: 'sluice' }]);
    expect(engine.closed()).toBe(1);
    expect(JSON.parse(c.out())).toEqual([
      { step: 'Signup Completed', users: 3, conversion: 1, fromPrevious: 1 },
      { step: 'Activated', users: 1, conversion: 1 / 3, fromPrevious: 1 / 3 },
      { step: 'Order Placed', users: 1, conversion: 1 / 3, fromPrevious: 1 },
    ]);
    const params = engine.calls[0]?.query_params ?? {};
    expect(Object.values(params)).toContain('web');
    expect(Object.values(params)).toContain(7 * 86_400_000);
    expect(Object.values(params)).toContain('2024-03-01 12:00:00.000');
  });

  it('prints a readable table with bars, against --clickhouse', async () => {
    const engine = fakeEngine([{ level: 2, actors: 4 }]);
    const c = capture();
    const code = await runQueryCommand(['funnel', '--steps', 'A,B', '--clickhouse', 'http://localhost:8123', '--database', 'analytics'], c.io, {
      openEngine: engine.openEngine,
      now: () => NOW,
    });
    expect(code).toBe(0);
    expect(engine.opened).toEqual([{ clickhouse: { url: 'http://localhost:8123' }, database: 'analytics' }]);
    expect(c.out()).toContain('Funnel over 2024-03-01 12:00Z → 2024-03-31 12:00Z, window 7d');
    expect(c.out()).toMatch(/1\. A\s+4\s+100\.0%\s+█{30}/);
    expect(c.out()).toMatch(/2\. B\s+4\s+100\.0%\s+100\.0%\s+█{30}/);
  });

  it('answers trends, top, retention and users', async () => {
    for (const argv of [
      ['trends', '--events', 'A', '--interval', 'hour', '--since', '2h'],
      ['top', '--limit', '3'],
      ['retention', '--start', 'A', '--returning', 'B', '--period', 'week', '--periods', '2'],
      ['users'],
    ]) {
      const c = capture();
      expect(await runQueryCommand(argv, c.io, { openEngine: fakeEngine([]).openEngine, now: () => NOW })).toBe(0);
      expect(c.err()).toBe('');
    }
  });

  it('counts people unless --by names an id column, and says so in the usage', async () => {
    const usage = capture();
    expect(await runQueryCommand(['--help'], usage.io)).toBe(0);
    expect(usage.out()).toContain('--by person|distinct_id|user_id|anonymous_id|session_id (default person');
    for (const [argv, identity] of [
      [['funnel', '--steps', 'A,B'], true],
      [['funnel', '--steps', 'A,B', '--by', 'person'], true],
      [['funnel', '--steps', 'A,B', '--by', 'distinct_id'], false],
      [['users'], true],
      [['users', '--by', 'session_id'], false],
      [['top', '--by', 'user_id'], false],
      [['trends', '--users'], true],
    ] as const) {
      const engine = fakeEngine([]);
      const c = capture();
      expect(await runQueryCommand([...argv], c.io, { openEngine: engine.openEngine, now: () => NOW })).toBe(0);
      expect([argv.join(' '), engine.calls[0]?.query.includes('identity_link_keys')]).toEqual([argv.join(' '), identity]);
    }
  });

  it('exits 2 with usage for bad flags, before opening anything', async () => {
    const engine = fakeEngine([]);
    for (const [argv, message] of [
      [['funnel'], /funnel needs --steps/],
      [['funnels'], /unknown query "funnels"/],
      [['funnel', '--steps', 'A', '--window', 'soon'], /funnel window "soon" is not a duration/],
      [['top', '--limit', 'ten'], /--limit "ten" must be a whole number/],
      [['trends', '--interval', 'minute'], /--interval "minute" must be one of hour, day/],
      [['top', '--bogus'], /Unknown option '--bogus'/],
      [['top', '--embedded', 'a', '--clickhouse', 'http://x'], /either --embedded DIR or --clickhouse URL/],
      [['top', '--since', 'forever'], /--since "forever" is not a duration/],
      [['funnel', '--steps', 'A', '--by', 'email'], /--by "email" must be one of person, distinct_id, user_id, anonymous_id, session_id/],
    ] as const) {
      const c = capture();
      expect(await runQueryCommand([...argv], c.io, { openEngine: engine.openEngine, now: () => NOW })).toBe(2);
      expect(c.err()).toMatch(message);
    }
  });

  it('exits 1 with the engine error when a query fails', async () => {
    const c = capture();
    const code = await runQueryCommand(['top'], c.io, {
      now: () => NOW,
      openEngine: async () => ({
        client: { query: async () => Promise.reject(new Error("Code: 60. DB::Exception: Table sluice.events_hourly doesn't exist")) } as never,
        database: 'sluice',
        kind: 'server',
        close: async () => {},
      }),
    });
    expect(code).toBe(1);
    expect(c.err()).toMatch(/topEvents query failed: .*run `sluice migrate`/);
  });

  it('resolves --since and --from/--to', () => {
    expect(resolveCliRange({ since: '1d' }, NOW)).toEqual({ from: NOW - 86_400_000, to: NOW });
    expect(resolveCliRange({ from: '2024-03-01T00:00:00Z', to: '2024-03-02T00:00:00Z' }, NOW)).toEqual({
      from: Date.parse('2024-03-01T00:00:00Z'),
      to: Date.parse('2024-03-02T00:00:00Z'),
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueries, runQueryCommand } from '../../src/query/index';
import type { Ev } from './query-fixtures';
import { at, count, insert, openMigrated, retried } from './query-fixtures';

const A = 'Signup Completed';
const B = 'Activated';
const C = 'Order Placed';

/** Every user's path and, in the comment, the deepest step they reach with a 7d / 1d window. */
const FUNNEL: Ev[] = [
  // u1 → 3 / 2: B after 23 h, C after 47 h
  { id: 'u1-a', event: A, user: 'u1', t: at(0, 10) },
  { id: 'u1-b', event: B, user: 'u1', t: at(1, 9) },
  { id: 'u1-c', event: C, user: 'u1', t: at(2, 9) },
  // u2 → 2 / 1: B after 48 h
  { id: 'u2-a', event: A, user: 'u2', t: at(0, 10) },
  { id: 'u2-b', event: B, user: 'u2', t: at(2, 10) },
  // u3 → 1 / 1 (and 3 if the other project's B and C were counted)
  { id: 'u3-a', event: A, user: 'u3', t: at(0, 10) },
  // u4 → 2 / 2: C nine days after A, out of the window but inside the range
  { id: 'u4-a', event: A, user: 'u4', t: at(0, 10) },
  { id: 'u4-b', event: B, user: 'u4', t: at(1, 9) },
  { id: 'u4-c', event: C, user: 'u4', t: at(9, 10) },
  // u5 → 1 / 1: B before A does not count
  { id: 'u5-b', event: B, user: 'u5', t: at(0, 10) },
  { id: 'u5-a', event: A, user: 'u5', t: at(1, 10) },
  { id: 'u5-c', event: C, user: 'u5', t: at(2, 10) },
  // u6 → 0: the last step alone
  { id: 'u6-c', event: C, user: 'u6', t: at(0, 10) },
  // u7 → 3 / 2, and every row of u7 is stored twice (below)
  { id: 'u7-a', event: A, user: 'u7', t: at(0, 11) },
  { id: 'u7-b', event: B, user: 'u7', t: at(1, 9) },
  { id: 'u7-c', event: C, user: 'u7', t: at(2, 9) },
  // u8 → 2 / 2: the second A starts the chain that fits a 1d window
  { id: 'u8-a1', event: A, user: 'u8', t: at(0, 10) },
  { id: 'u8-a2', event: A, user: 'u8', t: at(3, 10) },
  { id: 'u8-b', event: B, user: 'u8', t: at(4, 9) },
  // u9 → 0: A before the range
  { id: 'u9-a', event: A, user: 'u9', t: at(-1, 10) },
  { id: 'u9-b', event: B, user: 'u9', t: at(0, 10) },
  { id: 'u9-c', event: C, user: 'u9', t: at(0, 11) },
  // another project: completes u3's funnel if the project filter were missing
  { id: 'o-u3-b', event: B, user: 'u3', t: at(0, 12), project: 'other' },
  { id: 'o-u3-c', event: C, user: 'u3', t: at(0, 13), project: 'other' },
];

const AC = 'Account Created';
const AO = 'App Opened';

const RETENTION: Ev[] = [
  { id: 'r1-ac', event: AC, user: 'r1', t: at(0, 9) },
  { id: 'r1-ao0', event: AO, user: 'r1', t: at(0, 12) },
  { id: 'r1-ao1', event: AO, user: 'r1', t: at(1, 12) },
  { id: 'r1-ao2', event: AO, user: 'r1', t: at(2, 12) },
  { id: 'r1-ao8', event: AO, user: 'r1', t: at(8, 12) },
  { id: 'r2-ac', event: AC, user: 'r2', t: at(0, 9) },
  { id: 'r2-ao2', event: AO, user: 'r2', t: at(2, 9) },
  { id: 'r3-ac', event: AC, user: 'r3', t: at(0, 9) },
  { id: 'r4-ac', event: AC, user: 'r4', t: at(1, 9) },
  { id: 'r4-ao2a', event: AO, user: 'r4', t: at(2, 9) },
  { id: 'r4-ao2b', event: AO, user: 'r4', t: at(2, 15) },
  { id: 'r4-ao4', event: AO, user: 'r4', t: at(4, 9) },
  { id: 'r5-ac1', event: AC, user: 'r5', t: at(1, 9) },
  { id: 'r5-ac2', event: AC, user: 'r5', t: at(2, 9) },
  { id: 'r5-ao3a', event: AO, user: 'r5', t: at(3, 9) },
  { id: 'r5-ao3b', event: AO, user: 'r5', t: at(3, 10) },
  { id: 'r6-ao1', event: AO, user: 'r6', t: at(1, 9) },
  { id: 'r6-ac', event: AC, user: 'r6', t: at(2, 9) },
  { id: 'r6-ao3', event: AO, user: 'r6', t: at(3, 9) },
];

let db: Awaited<ReturnType<typeof openMigrated>>;

beforeAll(async () => {
  db = await openMigrated('query-funnel');
  await insert(db.client, FUNNEL);
  await insert(db.client, retried(FUNNEL.filter((e) => e.user === 'u7')));
  await insert(db.client, RETENTION);
  await insert(db.client, retried(RETENTION.filter((e) => e.user === 'r3' || e.id === 'r5-ao3a')));
});

afterAll(async () => {
  await db?.close();
});

const range = { from: at(0), to: at(10) };

describe('funnel on chdb', () => {
  it('stores the retried rows twice, so the answers below are dedup-proof', async () => {
    expect(await count(db.client, "SELECT count() AS n FROM sluice.events WHERE distinct_id = 'u7'")).toBe(6);
  });

  it('counts drop-off, out-of-window, out-of-order and duplicated users as known in advance (7d)', async () => {
    const q = createQueries({ client: db.client, project: 'web' });
    const steps = await q.funnel({ steps: [A, B, C], window: '7d', ...range });
    expect(steps).toEqual([
      { step: A, users: 7, conversion: 1, fromPrevious: 1 },
      { step: B, users: 5, conversion: 5 / 7, fromPrevious: 5 / 7 },
      { step: C, users: 2, conversion: 2 / 7, fromPrevious: 2 / 5 },
    ]);
  });

  it('narrows with a 1d window given as milliseconds', async () => {
    const q = createQueries({ client: db.client, project: 'web' });
    const steps = await q.funnel({ steps: [A, B, C], window: 86_400_000, ...range });
    expect(steps.map((s) => s.users)).toEqual([7, 4, 0]);
    expect(steps[2]).toEqual({ step: C, users: 0, conversion: 0, fromPrevious: 0 });
  });

  it('reads every project without a project filter', async () => {
    const q = createQueries({ client: db.client });
    const steps = await q.funnel({ steps: [A, B, C], window: '7d', ...range });
    expect(steps.map((s) => s.users)).toEqual([7, 6, 3]);
  });

  it('answers a two-step funnel and a range that excludes later steps', async () => {
    const q = createQueries({ client: db.client, project: 'web' });
    expect((await q.funnel({ steps: [B, C], window: '7d', ...range })).map((s) => s.users)).toEqual([7, 4]);
    // Only day 0: u9's B and C (no A needed now) → u9, and u5's B has no C on day 0.
    expect((await q.funnel({ steps: [B, C], window: '7d', from: at(0), to: at(1) })).map((s) => s.users)).toEqual([2, 1]);
  });

  it('keeps values out of the SQL text: a hostile project name is just a name', async () => {
    const seen: string[] = [];
    const q = createQueries({ client: db.client, project: "web' OR 1=1 --", onQuery: (i) => seen.push(i.query) });
    const steps = await q.funnel({ steps: [A, "x'; DROP TABLE sluice.events; --"], window: '7d', ...range });
    expect(steps.map((s) => s.users)).toEqual([0, 0]);
    expect(seen.join('\n')).not.toContain('OR 1=1');
    expect(seen.join('\n')).not.toContain('DROP');
    expect(await count(db.client, 'SELECT count() AS n FROM sluice.events')).toBeGreaterThan(0);
  });
});

describe('retention on chdb', () => {
  const q = () => createQueries({ client: db.client, project: 'web', now: () => at(60) });

  it('builds daily cohorts with sizes and retained counts known in advance', async () => {
    const result = await q().retention({ start: AC, returning: AO, period: 'day', periods: 3, from: at(0), to: at(3) });
    expect(result.period).toBe('day');
    expect(result.cohorts.map(({ cohort, size, retained }) => ({ cohort, size, retained }))).toEqual([
      { cohort: new Date(at(0)).toISOString().slice(0, 10), size: 3, retained: [1, 1, 2, 0] },
      { cohort: new Date(at(1)).toISOString().slice(0, 10), size: 2, retained: [0, 1, 1, 1] },
      { cohort: new Date(at(2)).toISOString().slice(0, 10), size: 1, retained: [0, 1, 0, 0] },
    ]);
    expect(result.cohorts[0]?.rates).toEqual([1 / 3, 1 / 3, 2 / 3, 0]);
  });

  it('builds weekly cohorts (weeks start on Monday)', async () => {
    const result = await q().retention({ start: AC, returning: AO, period: 'week', periods: 2, from: at(0), to: at(3) });
    expect(result.cohorts).toEqual([
      { cohort: new Date(at(0)).toISOString().slice(0, 10), size: 6, retained: [5, 1, 0], rates: [5 / 6, 1 / 6, 0] },
    ]);
  });

  it('marks periods that have not started as null', async () => {
    const early = createQueries({ client: db.client, project: 'web', now: () => at(1, 12) });
    const result = await early.retention({ start: AC, returning: AO, period: 'day', periods: 3, from: at(0), to: at(1) });
    expect(result.cohorts).toEqual([
      { cohort: new Date(at(0)).toISOString().slice(0, 10), size: 3, retained: [1, 1, null, null], rates: [1 / 3, 1 / 3, null, null] },
    ]);
  });

  it('counts sessions instead of people with by: session_id', async () => {
    // Every test user has one session, so the answer is the same; a user-less filter would differ.
    const result = await q().retention({ start: AC, returning: AO, period: 'day', periods: 1, from: at(0), to: at(1), by: 'session_id' });
    expect(result.cohorts[0]).toMatchObject({ size: 3, retained: [1, 1] });
  });
});

describe('sluice query on chdb', () => {
  const run = async (argv: string[]) => {
    let out = '';
    let err = '';
    const opened: unknown[] = [];
    const code = await runQueryCommand(
      argv,
      { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } },
      {
        // chdb allows one data directory per process: hand the CLI this file's engine, left open.
        openEngine: async (options) => {
          opened.push(options);
          return { ...db.engine, close: async () => {} };
        },
      },
    );
    return { code, out, err, opened };
  };
  const iso = (ms: number) => new Date(ms).toISOString();

  it('prints the funnel as a JSON array of { step, users }', async () => {
    const r = await run(['funnel', '--steps', `${A},${B},${C}`, '--window', '7d', '--from', iso(at(0)), '--to', iso(at(10)), '--project', 'web', '--embedded', db.dir, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.opened).toEqual([{ embedded: { path: db.dir }, database: 'sluice' }]);
    expect((JSON.parse(r.out) as Array<{ step: string; users: number }>).map(({ step, users }) => ({ step, users }))).toEqual([
      { step: A, users: 7 },
      { step: B, users: 5 },
      { step: C, users: 2 },
    ]);
  });

  it('prints a readable funnel and retention table', async () => {
    const funnel = await run(['funnel', '--steps', `${A},${B},${C}`, '--from', iso(at(0)), '--to', iso(at(10)), '--project', 'web']);
    expect(funnel.code).toBe(0);
    expect(funnel.out).toMatch(/1\. Signup Completed\s+7\s+100\.0%\s+█{30}/);
    expect(funnel.out).toMatch(/3\. Order Placed\s+2\s+28\.6%\s+40\.0%\s+█{8}/);
    const retention = await run(['retention', '--start', AC, '--returning', AO, '--period', 'day', '--periods', '3', '--from', iso(at(0)), '--to', iso(at(3)), '--project', 'web']);
    expect(retention.code).toBe(0);
    expect(retention.out).toMatch(new RegExp(`${new Date(at(0)).toISOString().slice(0, 10)}\\s+3\\s+33\\.3%`));
  });
});

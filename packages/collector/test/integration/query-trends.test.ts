import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrendsResult } from '../../src/query/index';
import { createQueries } from '../../src/query/index';
import type { Ev } from './query-fixtures';
import { at, count, insert, openMigrated, retried } from './query-fixtures';

const PV = 'Page Viewed';
const OP = 'Order Placed';
const P = 'trend';

const EVENTS: Ev[] = [
  { id: 'p1', event: PV, type: 'page', user: 't1', t: at(0, 10.1), utm: 'google', path: '/', project: P },
  { id: 'p2', event: PV, type: 'page', user: 't2', t: at(0, 10.2), utm: 'google', path: '/pricing', project: P },
  { id: 'p3', event: PV, type: 'page', user: 't3', t: at(0, 10.3), path: '/', project: P },
  { id: 'p4', event: PV, type: 'page', user: 't1', t: at(0, 11), utm: 'newsletter', path: '/blog', project: P },
  { id: 'p5', event: PV, type: 'page', user: 't2', t: at(1, 9), utm: 'google', path: '/', project: P },
  { id: 'p6', event: PV, type: 'page', user: 't4', t: at(1, 9), utm: 'google', path: '/pricing', project: P },
  { id: 'o1', event: OP, user: 't1', t: at(0, 10.5), props: { plan: 'pro', total: 10 }, project: P },
  { id: 'o2', event: OP, user: 't2', t: at(1, 9.25), props: { plan: 'free', total: 0 }, project: P },
  { id: 'o3', event: OP, user: 't5', t: at(1, 9.25), props: { plan: 'pro', total: 20 }, project: P },
  // an identify has no event name and is never a trend
  { id: 'i1', event: '', type: 'identify', user: 't1', t: at(0, 10), project: P },
  // another project, same hours
  { id: 'x1', event: PV, type: 'page', user: 'x', t: at(0, 10.1), project: 'elsewhere' },
];

let db: Awaited<ReturnType<typeof openMigrated>>;

beforeAll(async () => {
  db = await openMigrated('query-trends');
  await insert(db.client, EVENTS, 'sluice', 'trend-batch-1');
  // The same batch re-sent with its token (a lost response): dropped by events and by the rollups.
  await insert(db.client, EVENTS, 'sluice', 'trend-batch-1');
  // Client retries of p2 and o3 that escaped the collector's messageId window land in separate
  // batches: events holds them twice until a merge (queries on events count them once), and the
  // rollups' plain counts take them once more (docs/storage.md, "No double counting").
  await insert(db.client, retried(EVENTS.filter((e) => e.id === 'p2')));
  await insert(db.client, retried(EVENTS.filter((e) => e.id === 'o3')));
});

afterAll(async () => {
  await db?.close();
});

const queries = () => createQueries({ client: db.client, project: P });
const days = { from: at(0), to: at(2) };

/** `{ "event|breakdown": counts }` for order-free comparison. */
function byKey(result: TrendsResult): Record<string, number[]> {
  return Object.fromEntries(result.series.map((s) => [s.breakdown === undefined ? s.event : `${s.event}|${s.breakdown}`, s.counts]));
}

describe('trends on chdb', () => {
  it('has the retried rows stored twice', async () => {
    expect(await count(db.client, "SELECT count() AS n FROM sluice.events WHERE project = 'trend' AND message_id IN ('p2', 'o3')")).toBe(4);
  });

  it('does not count a batch re-sent with the same token, in events or in the rollups', async () => {
    // 10 events of project trend, plus the 2 escaped client duplicates; the re-sent batch adds nothing.
    expect(await count(db.client, "SELECT count() AS n FROM sluice.events WHERE project = 'trend'")).toBe(12);
    expect(await count(db.client, "SELECT sum(events) AS n FROM sluice.events_hourly WHERE project = 'trend'")).toBe(12);
    expect(await count(db.client, "SELECT sum(events) AS n FROM sluice.events_daily WHERE project = 'trend'")).toBe(12);
  });

  it('serves daily trends from the hourly rollup with the counts known in advance', async () => {
    const result = await queries().trends({ interval: 'day', users: true, by: 'distinct_id', ...days });
    expect(result.source).toBe('events_hourly');
    expect(result.buckets).toEqual([new Date(at(0)).toISOString(), new Date(at(1)).toISOString()]);
    expect(result.series).toEqual([
      // p2 (day 0) and o3 (day 1) are escaped client duplicates: counted twice by the rollup.
      { event: PV, counts: [5, 2], users: [3, 2], total: 7 },
      { event: OP, counts: [1, 3], users: [1, 2], total: 4 },
    ]);
  });

  it('serves hourly trends from the hourly rollup, zero-filled', async () => {
    const result = await queries().trends({ interval: 'hour', ...days });
    expect(result.source).toBe('events_hourly');
    expect(result.buckets).toHaveLength(48);
    const pv = new Array(48).fill(0);
    pv[10] = 4; // with p2's escaped duplicate
    pv[11] = 1;
    pv[33] = 2;
    const op = new Array(48).fill(0);
    op[10] = 1;
    op[33] = 3; // with o3's escaped duplicate
    expect(byKey(result)).toEqual({ [PV]: pv, [OP]: op });
  });

  it('equals the rows of events before the merge, bucket by bucket', async () => {
    const result = await queries().trends({ interval: 'hour', ...days });
    const raw = await db.client.query({
      query: `SELECT toUnixTimestamp(toStartOfHour(timestamp)) * 1000 AS t, event, count() AS n
              FROM sluice.events WHERE project = {p:String} AND event != '' GROUP BY t, event`,
      query_params: { p: P },
      format: 'JSONEachRow',
    });
    const expected = new Map<string, number>();
    for (const r of await raw.json<{ t: string; event: string; n: string }>()) expected.set(`${r.event}@${Number(r.t)}`, Number(r.n));
    const got = new Map<string, number>();
    for (const s of result.series) {
      s.counts.forEach((n, i) => {
        if (n > 0) got.set(`${s.event}@${Date.parse(result.buckets[i] ?? '')}`, n);
      });
    }
    expect(got).toEqual(expected);
    expect(await count(db.client, "SELECT count() AS n FROM sluice.events WHERE project = 'trend' AND event != ''")).toBe(11);
    expect([...got.values()].reduce((a, b) => a + b, 0)).toBe(11);
    // 9 distinct events: what `events` holds after the merge, and what queries on `events` count.
    expect(await count(db.client, "SELECT uniqExact(message_id) AS n FROM sluice.events WHERE project = 'trend' AND event != ''")).toBe(9);
  });

  it('covers every whole bucket that overlaps a ragged range', async () => {
    const result = await queries().trends({ interval: 'hour', from: at(0, 10.5), to: at(1, 9.5) });
    expect(result.buckets).toHaveLength(24);
    expect(result.buckets[0]).toBe(new Date(at(0, 10)).toISOString());
    expect(result.series.map((s) => [s.event, s.total])).toEqual([
      [PV, 7],
      [OP, 4],
    ]);
  });

  it('filters by event names', async () => {
    const result = await queries().trends({ events: [OP], interval: 'day', ...days });
    expect(result.series).toEqual([{ event: OP, counts: [1, 3], total: 4 }]);
    const fromEvents = await queries().trends({ events: [OP], interval: 'hour', breakdown: 'utm_source', users: true, ...days });
    expect(fromEvents.source).toBe('events');
    expect(fromEvents.series[0]?.users?.filter((n) => n > 0)).toEqual([1, 2]);
  });

  it('serves a utm_source breakdown by day from the daily rollup; the events-derived hourly one counts messageIds', async () => {
    const daily = await queries().trends({ interval: 'day', breakdown: 'utm_source', ...days });
    expect(daily.source).toBe('events_daily');
    const exact = {
      [`${PV}|google`]: [2, 2],
      [`${PV}|`]: [1, 0],
      [`${PV}|newsletter`]: [1, 0],
      [`${OP}|`]: [1, 2],
    };
    // The rollup counts the escaped duplicates of p2 (google, day 0) and o3 (day 1) once more.
    expect(byKey(daily)).toEqual({ ...exact, [`${PV}|google`]: [3, 2], [`${OP}|`]: [1, 3] });
    const hourly = await queries().trends({ interval: 'hour', breakdown: 'utm_source', ...days });
    expect(hourly.source).toBe('events');
    const summed = Object.fromEntries(
      Object.entries(byKey(hourly)).map(([k, counts]) => [k, [counts.slice(0, 24), counts.slice(24)].map((d) => d.reduce((a, b) => a + b, 0))]),
    );
    expect(summed).toEqual(exact);
  });

  it('breaks down by page_path', async () => {
    const result = await queries().trends({ interval: 'day', breakdown: 'page_path', events: [PV], ...days });
    expect(result.source).toBe('events_daily');
    expect(byKey(result)).toEqual({ [`${PV}|/`]: [2, 1], [`${PV}|/pricing`]: [2, 1], [`${PV}|/blog`]: [1, 0] });
  });

  it('breaks down by a property from events', async () => {
    const result = await queries().trends({ interval: 'day', breakdown: 'plan', ...days });
    expect(result.source).toBe('events');
    expect(byKey(result)).toEqual({ [`${OP}|pro`]: [1, 1], [`${OP}|free`]: [0, 1], [`${PV}|`]: [4, 2] });
  });
});

describe('topEvents and uniqueUsers on chdb', () => {
  it('ranks events over whole hours from the rollup', async () => {
    const q = queries();
    expect(await q.topEvents({ ...days, limit: 10, by: 'distinct_id' })).toEqual([
      // whole hours only: the rollup's counts, with the escaped duplicates of p2 and o3
      { event: PV, count: 7, users: 4 },
      { event: OP, count: 4, users: 3 },
    ]);
    expect(await q.topEvents({ ...days, limit: 1, by: 'distinct_id' })).toEqual([{ event: PV, count: 7, users: 4 }]);
  });

  it('counts people by default from events_by_id, beside the rollup\'s event counts in top events', async () => {
    const seen: string[] = [];
    const q = createQueries({ client: db.client, project: P, onQuery: (i) => seen.push(i.source) });
    expect(await q.topEvents({ ...days, limit: 10 })).toEqual([
      { event: PV, count: 7, users: 4 },
      { event: OP, count: 4, users: 3 },
    ]);
    expect(await q.uniqueUsers(days)).toEqual({ users: 5, source: 'events_by_id' });
    // Trends with people count events as the same trend without them does, from the hourly rollup
    // (where the escaped re-sends count once more, as in top events), and people
    // in events_by_id.
    const trend = await q.trends({ interval: 'day', users: true, ...days });
    const withoutPeople = await q.trends({ interval: 'day', ...days });
    expect(trend.series).toEqual([
      { event: PV, counts: [5, 2], users: [3, 2], total: 7 },
      { event: OP, counts: [1, 3], users: [1, 2], total: 4 },
    ]);
    expect(trend.series.map(({ users: _, ...counts }) => counts)).toEqual(withoutPeople.series);
    expect(seen).toEqual(['events_by_id', 'events_by_id', 'events_by_id', 'events_hourly']);
  });

  it('is exact on a ragged range: whole hours from the rollup, the ends from events', async () => {
    const seen: string[] = [];
    const q = createQueries({ client: db.client, project: P, onQuery: (i) => seen.push(i.source) });
    // 10:15 → 09:06 next day: p3 (10:18), p4, p5, p6 and o1 (10:30)
    expect(await q.topEvents({ from: at(0, 10.25), to: at(1, 9.1), by: 'distinct_id' })).toEqual([
      { event: PV, count: 4, users: 4 },
      { event: OP, count: 1, users: 1 },
    ]);
    expect(await q.uniqueUsers({ from: at(0, 10.25), to: at(1, 9.1), by: 'distinct_id' })).toEqual({ users: 4, source: 'events_hourly' });
    expect(seen).toEqual(['events_hourly', 'events_hourly']);
  });

  it('reads events alone for a range inside one hour', async () => {
    const q = queries();
    expect(await q.topEvents({ from: at(0, 10), to: at(0, 10.4), by: 'distinct_id' })).toEqual([{ event: PV, count: 3, users: 3 }]);
    expect(await q.uniqueUsers({ from: at(0, 10), to: at(0, 10.4), by: 'distinct_id' })).toEqual({ users: 3, source: 'events' });
  });

  it('counts unique users, optionally of some events', async () => {
    const q = queries();
    const by = 'distinct_id';
    expect(await q.uniqueUsers({ ...days, by })).toEqual({ users: 5, source: 'events_hourly' });
    expect(await q.uniqueUsers({ ...days, events: [OP], by })).toEqual({ users: 3, source: 'events_hourly' });
    expect(await createQueries({ client: db.client }).uniqueUsers({ ...days, by })).toEqual({ users: 6, source: 'events_hourly' });
    expect(await q.uniqueUsers({ ...days, events: [OP] })).toEqual({ users: 3, source: 'events_by_id' });
    expect(await createQueries({ client: db.client }).uniqueUsers(days)).toEqual({ users: 6, source: 'events_by_id' });
  });
});

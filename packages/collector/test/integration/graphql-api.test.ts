import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../../src/collector';
import { createRequestListener } from '../../src/node';
import { createQueries } from '../../src/query/create-queries';
import { runQueryCommand } from '../../src/query/cli';
import type { Ev } from './query-fixtures';
import { DAY, HOUR, insert, openMigrated } from './query-fixtures';

const WRITE_KEY = 'write-key-web';
const READ_WEB = 'read-key-web';
const READ_MOBILE = 'read-key-mobile';
const READ_ALL = 'read-key-every-project';
const TODAY = Math.floor(Date.now() / DAY) * DAY;
/** Whole UTC days, as the query API counts them. */
const FROM = TODAY - 6 * DAY;
const TO = TODAY + DAY;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function events(): Ev[] {
  const out: Ev[] = [];
  for (let i = 0; i < 12; i++) {
    const user = `u${i}`;
    const utm = i % 3 === 0 ? 'google' : 'newsletter';
    out.push({ id: `${user}-signup`, event: 'Signup Completed', user, t: TODAY - 5 * DAY + 9 * HOUR + i * 60_000, utm, props: { plan: i % 2 ? 'pro' : 'free' } });
    if (i < 7) out.push({ id: `${user}-act`, event: 'Activated', user, t: TODAY - 5 * DAY + 11 * HOUR, utm });
    if (i < 3) out.push({ id: `${user}-order`, event: 'Order Placed', user, t: TODAY - 3 * DAY + 10 * HOUR, props: { total: 10 + i } });
    if (i < 5) out.push({ id: `${user}-open`, event: 'App Opened', user, t: TODAY - 4 * DAY + 8 * HOUR });
  }
  out.push({ id: 'm-1', event: 'Signup Completed', user: 'mobile-user', t: TODAY - 2 * DAY, project: 'mobile' });
  return out;
}

/** The real chDB client, with every `query` it runs counted: the number of ClickHouse queries. */
function counted(client: ClickHouseClient): { client: ClickHouseClient; queries: () => number } {
  let queries = 0;
  const proxy = new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (property === 'query') {
        return (...args: Parameters<ClickHouseClient['query']>) => {
          queries++;
          return target.query(...args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { client: proxy, queries: () => queries };
}

let db: Awaited<ReturnType<typeof openMigrated>>;
let counter: ReturnType<typeof counted>;
let collector: Collector;
let server: Server;
let base = '';

beforeAll(async () => {
  db = await openMigrated('graphql');
  await insert(db.client, events());
  await db.client.command({
    query: `INSERT INTO sluice.events_quarantine (project, received_at, message_id, reason, path, raw) VALUES
      ('web', now64(3), 'q1', 'properties.total: expected number, received string', 'properties.total', '{}'),
      ('web', now64(3), 'q2', 'properties.total: expected number, received string', 'properties.total', '{}'),
      ('web', now64(3), 'q3', 'unknown event "Sign Up"', 'event', '{}'),
      ('mobile', now64(3), 'q4', 'unknown event "Sign Up"', 'event', '{}')`,
  });
  counter = counted(db.client);
  collector = createCollector({
    writeKeys: { [WRITE_KEY]: 'web' },
    readKeys: { [READ_WEB]: 'web', [READ_MOBILE]: 'mobile', [READ_ALL]: '*' },
    engine: { clickhouse: counter.client },
    ack: 'clickhouse',
    writer: { batchMaxDelayMs: 10 },
  });
  await collector.ready();
  server = createServer(createRequestListener(collector));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  await collector?.close();
  await db?.close();
});

interface GraphqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** `key: ''` sends no Authorization header. */
async function graphql<T = Record<string, any>>(query: string, key = READ_WEB, variables?: Record<string, unknown>): Promise<GraphqlResult<T>> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as object) };
}

const range = `from: "${day(FROM)}", to: "${day(TO)}"`;

describe('POST /graphql on chDB', () => {
  it("answers as the query library and `sluice query --json` do on the same data", async () => {
    const { status, data, errors } = await graphql(`{
      funnel(steps: ["Signup Completed", "Activated", "Order Placed"], window: "7d", by: distinct_id, ${range}) { step users conversion fromPrevious }
      retention(start: "Signup Completed", returning: "App Opened", period: day, periods: 3, by: distinct_id, ${range}) { period periods cohorts { cohort size retained rates } }
      trends(interval: day, breakdown: "utm_source", ${range}) { interval source buckets series { event breakdown counts total } }
      topEvents(limit: 10, ${range}) { event count users }
      users(events: ["Activated"], ${range})
    }`);
    expect(errors).toBeUndefined();
    expect(status).toBe(200);
    const library = createQueries({ client: db.client, project: 'web' });
    const asked = { from: FROM, to: TO };
    expect(data?.funnel).toEqual(await library.funnel({ steps: ['Signup Completed', 'Activated', 'Order Placed'], window: '7d', by: 'distinct_id', ...asked }));
    expect(data?.funnel.map((s: { users: number }) => s.users)).toEqual([12, 7, 3]);
    expect(data?.retention).toEqual(await library.retention({ start: 'Signup Completed', returning: 'App Opened', period: 'day', periods: 3, by: 'distinct_id', ...asked }));
    const trends = await library.trends({ interval: 'day', breakdown: 'utm_source', ...asked });
    expect(data?.trends).toEqual({ ...trends, series: trends.series.map((s) => ({ ...s, breakdown: s.breakdown ?? null })) });
    expect(data?.topEvents).toEqual(await library.topEvents({ limit: 10, ...asked }));
    expect(data?.users).toBe((await library.uniqueUsers({ events: ['Activated'], ...asked })).users);
    // `by` reaches every count of people, not only funnel and retention.
    const { data: byData, errors: byErrors } = await graphql(`{
      usersByAnonymousId: users(by: anonymous_id, ${range})
      topByUserId: topEvents(limit: 3, by: user_id, ${range}) { event count users }
      trendUsers: trends(events: ["Activated"], users: true, by: distinct_id, ${range}) { series { users total } }
    }`);
    expect(byErrors).toBeUndefined();
    expect(byData?.usersByAnonymousId).toBe((await library.uniqueUsers({ by: 'anonymous_id', ...asked })).users);
    expect(byData?.topByUserId).toEqual(await library.topEvents({ limit: 3, by: 'user_id', ...asked }));
    const trendUsers = await library.trends({ events: ['Activated'], users: true, by: 'distinct_id', ...asked });
    expect(byData?.trendUsers.series).toEqual(trendUsers.series.map(({ users, total }) => ({ users, total })));

    // Trends and top events count the same whole days, so their totals agree.
    const trendTotal = (event: string) => data?.trends.series.filter((s: { event: string }) => s.event === event).reduce((n: number, s: { total: number }) => n + s.total, 0);
    for (const top of data?.topEvents ?? []) expect(trendTotal(top.event)).toBe(top.count);

    let out = '';
    const code = await runQueryCommand(
      ['funnel', '--steps', 'Signup Completed,Activated,Order Placed', '--window', '7d', '--by', 'distinct_id', '--from', day(FROM), '--to', day(TO), '--project', 'web', '--json'],
      { stdout: { write: (chunk: string) => (out += chunk) }, stderr: { write: () => true } },
      { openEngine: async () => ({ client: db.client, database: 'sluice', kind: 'embedded', close: async () => {} }) },
    );
    expect(code).toBe(0);
    expect((JSON.parse(out) as Array<{ step: string; users: number }>).map(({ step, users }) => ({ step, users }))).toEqual(
      data?.funnel.map(({ step, users }: { step: string; users: number }) => ({ step, users })),
    );
  });

  it('lists event names, properties and quarantine counts per reason, and serves GET for queries', async () => {
    const { data, errors } = await graphql(`{ eventNames(${range}) { name count } properties(event: "Order Placed", ${range}) quarantine(${range}) { reason path count } }`);
    expect(errors).toBeUndefined();
    expect(data?.eventNames.map((e: { name: string }) => e.name)).toEqual(['Signup Completed', 'Activated', 'App Opened', 'Order Placed']);
    expect(data?.properties).toEqual(['total']);
    expect(data?.quarantine).toEqual([
      { reason: 'properties.total: expected number, received string', path: 'properties.total', count: 2 },
      { reason: 'unknown event "Sign Up"', path: 'event', count: 1 },
    ]);
    const get = await fetch(`${base}/graphql?query=${encodeURIComponent(`{ users(${range}) }`)}`, { headers: { authorization: `Bearer ${READ_WEB}` } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { users: 12 } });
  });

  it('refuses a missing key, a write key, an unknown key and another project, and a read key cannot write', async () => {
    const missing = await graphql('{ users }', '');
    expect(missing.status).toBe(401);
    expect(missing.errors?.[0]?.message).toMatch(/Authorization: Bearer <read key>/);
    const write = await graphql('{ users }', WRITE_KEY);
    expect(write.status).toBe(401);
    expect(write.errors?.[0]?.message).toMatch(/write key, and write keys never read/);
    expect((await graphql('{ users }', 'not-a-key-at-all')).status).toBe(401);
    const other = await graphql('{ users(project: "web") }', READ_MOBILE);
    expect(other.status).toBe(403);
    expect(other.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(other.errors?.[0]?.message).toMatch(/reads project "mobile" only/);
    expect((await graphql('{ users }', READ_MOBILE)).data).toEqual({ users: 1 });
    expect((await graphql('{ users(project: "mobile") }', READ_ALL)).data).toEqual({ users: 1 });
    expect((await graphql('{ users }', READ_ALL)).data).toEqual({ users: 13 });

    const write2 = await fetch(`${base}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${READ_WEB}` },
      body: JSON.stringify({ batch: [{ type: 'track', event: 'Nope', userId: 'x', messageId: 'read-key-write' }] }),
    });
    expect(write2.status).toBe(401);
    expect(await db.client.query({ query: "SELECT count() AS n FROM sluice.events WHERE message_id = 'read-key-write'", format: 'JSONEachRow' }).then((r) => r.json<{ n: string }>()).then((rows) => Number(rows[0]?.n))).toBe(0);
  });

  it('refuses a query past the cost limit, with what to do, before running anything', async () => {
    const before = counter.queries();
    const many = Array.from({ length: 5 }, (_, i) => `f${i}: funnel(steps: ["Activated"], window: "${i + 1}d") { users }`).join(' ');
    const { status, errors } = await graphql(`{ ${many} }`);
    expect(status).toBe(400);
    expect(errors?.[0]?.message).toMatch(/costs 50, more than the limit of 40: split it into several requests/);
    expect(counter.queries()).toBe(before);
    const bad = await graphql(`{ trends(interval: day, since: "a week") { source } }`);
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(bad.errors?.[0]?.message).toMatch(/since "a week" is not a duration: use a number and a unit such as/);
  });

  it('answers a repeated question from memory, runs concurrent identical misses once, and sees new events', async () => {
    const question = `{ funnel(steps: ["Signup Completed", "Order Placed"], window: "3d", ${range}) { step users } }`;
    const before = counter.queries();
    const answers = await Promise.all(Array.from({ length: 8 }, () => graphql(question)));
    expect(counter.queries() - before).toBe(1);
    expect(new Set(answers.map((a) => JSON.stringify(a.data))).size).toBe(1);
    const again = await graphql(question);
    expect(again.data).toEqual(answers[0]?.data);
    expect(counter.queries() - before).toBe(1);
    // The same question spelled differently (layout, argument order, a variable) is the same entry.
    await graphql(`query Q($w: String) {\n  funnel(window: $w, ${range}, steps: ["Signup Completed", "Order Placed"]) { users }\n}`, READ_WEB, { w: '3d' });
    expect(counter.queries() - before).toBe(1);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    const metric = (name: string) => Number(new RegExp(`^sluice_query_cache_${name}_total\\{question="funnel"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
    // Of the 10 asks, 1 ran a query; the other 9 waited for it (coalesced) or came after it (hits).
    expect(metric('hits') + metric('coalesced')).toBeGreaterThanOrEqual(9);
    expect(metric('hits')).toBeGreaterThanOrEqual(2);
    expect(metric('misses')).toBeGreaterThanOrEqual(1);

    // New events landing make the next answer a fresh one.
    const sent = await fetch(`${base}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` },
      body: JSON.stringify({
        batch: [
          { type: 'track', event: 'Signup Completed', userId: 'late', messageId: 'late-1', timestamp: new Date(TODAY + HOUR).toISOString() },
          { type: 'track', event: 'Order Placed', userId: 'late', messageId: 'late-2', timestamp: new Date(TODAY + 2 * HOUR).toISOString() },
        ],
      }),
    });
    expect(sent.status).toBe(200);
    const fresh = await graphql(question);
    expect(counter.queries() - before).toBe(2);
    expect(fresh.data?.funnel.map((s: { users: number }) => s.users)).toEqual([13, 4]);
  });
});

describe('query timeout', () => {
  it('stops the ClickHouse query at the timeout and says what to fix', async () => {
    await db.client.command({
      query: `INSERT INTO sluice.events (project, message_id, type, event, user_id, anonymous_id, distinct_id, session_id, timestamp, original_timestamp, sent_at, received_at, properties, traits, context, page_url, page_path, referrer, utm_source, utm_medium, utm_campaign, locale, library_name, library_version)
        SELECT 'big', toString(number), 'track', if(number % 3 = 0, 'A', 'B'), toString(number % 50000), '', toString(number % 50000), '',
          now64(3) - toIntervalSecond(number % 400000), now64(3), now64(3), now64(3), '{}', '{}', '{}', '', '', '', '', '', '', '', '', ''
        FROM numbers(1000000)`,
    });
    const slow = createCollector({ writeKeys: {}, readKeys: { [READ_ALL]: '*' }, engine: { clickhouse: db.client }, ack: 'memory', queryApi: { timeoutMs: 1 } });
    try {
      const res = await slow.fetch(
        new Request('http://x/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${READ_ALL}` },
          body: JSON.stringify({ query: '{ funnel(project: "big", steps: ["A", "B", "A", "B"], since: "7d") { users } }' }),
        }),
      );
      const body = (await res.json()) as GraphqlResult;
      expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TIMEOUT' } });
      expect(body.errors?.[0]?.message).toMatch(/ran past the 1 ms query timeout and ClickHouse stopped it: narrow the range/);
    } finally {
      await slow.close();
    }
  }, 60_000);
});

describe('depth limit', () => {
  it('refuses a query deeper than queryApi.maxDepth', async () => {
    const shallow = createCollector({ writeKeys: {}, readKeys: { [READ_ALL]: '*' }, engine: { clickhouse: db.client }, ack: 'memory', queryApi: { maxDepth: 2 } });
    try {
      const res = await shallow.fetch(
        new Request('http://x/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${READ_ALL}` },
          body: JSON.stringify({ query: '{ retention(start: "A", returning: "B") { cohorts { cohort } } }' }),
        }),
      );
      expect(res.status).toBe(400);
      const body = (await res.json()) as GraphqlResult;
      expect(body.errors?.[0]?.message).toMatch(/3 levels deep, more than the limit of 2: ask for fewer nested fields/);
    } finally {
      await shallow.close();
    }
  });
});

#!/usr/bin/env node
// Query latency on 10M demo-like events in embedded chDB (a temp dir, removed at exit).
//
// Generates the events inside ClickHouse (`INSERT … SELECT … FROM numbers(…)`, through the real
// migrations, so the hourly/daily rollups and the identity graph fill as they would from the writer),
// then times the query API of @sluice/collector: trends from the rollups (goal p50 ≤ 50 ms) and a
// person-level funnel over all 10M events (goal ≤ 1 s), plus the other questions for reference, and
// the person-level funnel once more after merging the tables it reads (as background merges would).
// Medians of several runs; nothing is asserted.
//
// People: 10 events each, so 1M people for 10M events. A third browse anonymously first (a-N), then
// sign up and carry both ids (u-N with a-N); half of those also come back on a second device (b-N).
// A third are signed-in users only (u-N), a third anonymous visitors only (a-N).
//
//   node bench/queries.mjs [--quick] [--events N] [--only "funnel by|trends by day, 30"] [--data DIR]
//
// --data DIR keeps the generated events in DIR and reuses them on the next run with the same
// --events (generation takes minutes at 10M); without it, a temp dir is removed at exit.
//
// --only keeps the questions whose names start with one of the |-separated prefixes, and skips the
// rollup comparisons: a short run for one figure.
//
// Uses the product's own entry points, as a user would: `@sluice/collector/query` for the questions and
// `@sluice/collector` for the engine, migrations and the collector that serves POST /graphql (run `npm run build` first; `npm run bench` does).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCollector, createEngine, migrate } from '@sluice/collector';
import { createQueries } from '@sluice/collector/query';
import { fmt, median, opt, percentile, QUICK, removeDir, report, table, tempDir } from './lib/common.mjs';

const EVENTS = Number(opt('events', QUICK ? 1_000_000 : 10_000_000));
const USERS = Math.max(1, Math.round(EVENTS / 10));
const CHUNK = 2_000_000;
const DAY = 86_400_000;
const RUNS = { fast: QUICK ? 5 : 7, slow: 3 };

const KEEP = opt('data', undefined);
const dir = KEEP ? resolve(KEEP) : tempDir('queries');
mkdirSync(dir, { recursive: true });
const STAMP = join(dir, 'bench-queries.json');
const kept = KEEP && existsSync(STAMP) ? JSON.parse(readFileSync(STAMP, 'utf8')) : undefined;
if (kept && kept.events !== EVENTS) {
  console.error(`queries: ${dir} holds ${kept.events} generated events, not ${EVENTS}: pass --events ${kept.events}, or remove the directory to generate anew`);
  process.exit(2);
}
const engine = await createEngine({ embedded: { path: dir } });
const client = engine.client;
await migrate(client);

// ---- generate: USERS people, 10 events each, in order, over the last ~28 days
const now = kept?.now ?? Date.now();
const start = now - 28 * DAY;
const generate = (offset, count) => `
INSERT INTO sluice.events (project, message_id, type, event, user_id, anonymous_id, distinct_id, session_id,
  timestamp, original_timestamp, sent_at, received_at, properties, traits, context,
  page_url, page_path, referrer, utm_source, utm_medium, utm_campaign, locale, library_name, library_version)
SELECT 'demo', concat('m-', toString(number)), if(ev = 'Page Viewed', 'page', 'track'), ev, uid, aid, if(uid != '', uid, aid),
  concat(u, '-', toString(intDiv(k, 4))), ts, ts, ts, ts + toIntervalMillisecond(150),
  if(ev = 'Order Placed', concat('{"plan":"', arrayElement(['free','pro','team'], 1 + uh % 3), '","total":', toString(uh % 200), '}'), '{}'),
  '{}', '{}', concat('https://example.com', path), path, '', src, if(src = '', '', 'cpc'), if(src = '', '', 'launch'),
  'en-US', 'sluice-browser', '0.1.0'
FROM (
  SELECT number, u, k, uh, ts,
    multiIf(k = 0, 'Page Viewed', k = 3 AND uh % 10 < 6, 'Signup Completed', k = 5 AND uh % 10 < 4, 'Activated', k = 8 AND uh % 10 < 3, 'Order Placed',
            k % 4 = 1, 'App Opened', k % 7 = 2, 'Button Clicked', 'Page Viewed') AS ev,
    -- kind 0: anonymous until k = 3, then both ids (a second device from k = 6 for half); 1: user only; 2: anonymous only
    p % 3 AS kind,
    multiIf(kind = 1, concat('u-', u), kind = 0 AND k >= 3, concat('u-', u), '') AS uid,
    multiIf(kind = 1, '', kind = 0 AND k >= 6 AND p % 2 = 0, concat('b-', u), concat('a-', u)) AS aid,
    arrayElement(['', 'google', 'newsletter', 'twitter', 'linkedin'], 1 + uh % 5) AS src,
    arrayElement(['/', '/pricing', '/docs', '/blog', '/signup', '/app'], 1 + (cityHash64(number) % 6)) AS path
  FROM (
    SELECT number,
      number % ${USERS} AS p,
      toString(p) AS u,
      intDiv(number, ${USERS}) AS k,
      cityHash64(p) AS uh,
      fromUnixTimestamp64Milli(toInt64(${start} + (uh % ${25 * DAY}) + intDiv(number, ${USERS}) * 10800000 + cityHash64(number) % 10800000), 'UTC') AS ts
    FROM numbers(${offset}, ${count})
  )
)`;

const t0 = performance.now();
for (let offset = 0; !kept && offset < EVENTS; offset += CHUNK) {
  await client.command({ query: generate(offset, Math.min(CHUNK, EVENTS - offset)) });
  process.stderr.write(`\rqueries: generated ${fmt(Math.min(EVENTS, offset + CHUNK))} / ${fmt(EVENTS)} events`);
}
const insertS = kept ? kept.insertS : (performance.now() - t0) / 1000;
if (kept) process.stderr.write(`queries: reusing ${fmt(EVENTS)} events generated in ${dir}\n`);
else process.stderr.write(` in ${insertS.toFixed(1)} s\n`);
if (KEEP && !kept) writeFileSync(STAMP, JSON.stringify({ events: EVENTS, now, insertS }));
const [{ rows, hourly, daily, links, ids }] = await (await client.query({
  query: `SELECT (SELECT count() FROM sluice.events) AS rows, (SELECT count() FROM sluice.events_hourly) AS hourly, (SELECT count() FROM sluice.events_daily) AS daily,
    (SELECT uniqExact(id) FROM sluice.identity_links) AS links, (SELECT uniqExact(distinct_id) FROM sluice.events) AS ids`,
  format: 'JSONEachRow',
})).json();

let source = '';
const queries = createQueries({ client, project: 'demo', onQuery: (info) => (source = info.source) });
const last30 = { from: now - 30 * DAY, to: now };
const last7 = { from: now - 7 * DAY, to: now };
const steps = ['Page Viewed', 'Signup Completed', 'Order Placed'];

const CASES = [
  { name: 'trends by day, 30 days', goal: '≤ 50 ms', runs: RUNS.fast, ask: () => queries.trends({ interval: 'day', ...last30 }) },
  { name: 'trends by hour, 7 days', goal: '≤ 50 ms', runs: RUNS.fast, ask: () => queries.trends({ interval: 'hour', ...last7 }) },
  { name: 'trends by day + distinct_ids per day, 30 days', runs: RUNS.fast, ask: () => queries.trends({ interval: 'day', users: true, by: 'distinct_id', ...last30 }) },
  { name: 'trends by day + people per day, 30 days', runs: RUNS.slow, ask: () => queries.trends({ interval: 'day', users: true, ...last30 }) },
  { name: 'trends by day × utm_source, 30 days', runs: RUNS.fast, ask: () => queries.trends({ interval: 'day', breakdown: 'utm_source', ...last30 }) },
  { name: 'top events by distinct_id, 30 days (ragged ends)', runs: RUNS.fast, ask: () => queries.topEvents({ limit: 10, by: 'distinct_id', ...last30 }) },
  { name: 'top events by person, 30 days', runs: RUNS.slow, ask: () => queries.topEvents({ limit: 10, ...last30 }) },
  { name: 'unique distinct_ids, 30 days', runs: RUNS.fast, ask: () => queries.uniqueUsers({ by: 'distinct_id', ...last30 }) },
  { name: 'unique people, 30 days', runs: RUNS.slow, ask: () => queries.uniqueUsers(last30) },
  { name: 'funnel by person, 3 steps, 7d window, 30 days', goal: '≤ 1 s', runs: RUNS.slow, ask: () => queries.funnel({ steps, window: '7d', ...last30 }) },
  { name: 'funnel by distinct_id (for comparison)', runs: RUNS.slow, ask: () => queries.funnel({ steps, window: '7d', by: 'distinct_id', ...last30 }) },
  { name: 'retention weekly by person, 4 periods, 30 days', runs: RUNS.slow, ask: () => queries.retention({ start: 'Signup Completed', returning: 'App Opened', period: 'week', periods: 4, ...last30 }) },
  { name: 'trends by day × property plan', runs: 2, ask: () => queries.trends({ interval: 'day', breakdown: 'plan', ...last30 }) },
];

const ONLY = opt('only', undefined)?.split('|').map((s) => s.trim()).filter(Boolean);
if (ONLY) CASES.splice(0, CASES.length, ...CASES.filter((c) => ONLY.some((prefix) => c.name.startsWith(prefix))));

// Background merges of the fresh parts would compete with the queries on 2 cores: let them settle.
for (let i = 0; i < 60; i++) {
  const [{ n }] = await (await client.query({ query: "SELECT count() AS n FROM system.merges WHERE database = 'sluice'", format: 'JSONEachRow' })).json();
  if (Number(n) === 0) break;
  await new Promise((r) => setTimeout(r, 1000));
}

const results = [];
async function timeCase(c) {
  let answer = await c.ask(); // warm-up: first read of the parts
  const times = [];
  for (let i = 0; i < c.runs; i++) {
    const t = performance.now();
    answer = await c.ask();
    times.push(performance.now() - t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  results.push({ name: c.name, source, runs: c.runs, p50: median(times), p90: percentile(sorted, 0.9), goal: c.goal ?? '', answer });
  process.stderr.write(`queries: ${c.name}: p50 ${median(times).toFixed(1)} ms (${source})\n`);
}
for (const c of CASES) await timeCase(c);

// The query API as a client sees it: POST /graphql through a collector's Fetch handler (no socket),
// on the same engine. A cached answer (the cache's default rule, nothing lands meanwhile), then
// uncached trends and funnel (cacheTtlMs: 0, so every ask runs its ClickHouse query).
{
  const READ_KEY = 'bench-read-key';
  const open = (queryApi) =>
    createCollector({ writeKeys: {}, readKeys: { [READ_KEY]: 'demo' }, engine: { clickhouse: client }, ack: 'memory', queryApi });
  const ask = async (collector, query) => {
    const response = await collector.fetch(new Request('http://bench/graphql', {
      method: 'POST',
      headers: { authorization: `Bearer ${READ_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    }));
    const body = await response.json();
    if (body.errors) throw new Error(`graphql: ${body.errors[0].message}`);
    return body.data;
  };
  const TRENDS = '{ trends(interval: day, since: "30d") { buckets series { event total } } }';
  const FUNNEL = '{ funnel(steps: ["Signup Completed", "Activated", "Order Placed"], window: "7d", since: "30d") { step users } }';
  const cached = open({});
  const uncached = open({ cacheTtlMs: 0 });
  await cached.ready();
  await uncached.ready();
  const API_CASES = [
    { name: 'GraphQL: a cached answer (trends by day, 30 days)', source: 'memory', collector: cached, query: TRENDS, runs: 50 },
    { name: 'GraphQL: uncached trends by day, 30 days', source: 'events_hourly', collector: uncached, query: TRENDS, runs: RUNS.fast },
    { name: 'GraphQL: uncached funnel, 3 steps, 7d window, 30 days', source: 'events', collector: uncached, query: FUNNEL, runs: RUNS.slow },
  ];
  for (const c of API_CASES) {
    await ask(c.collector, c.query); // warm-up (and, for the cached case, the one miss)
    const times = [];
    for (let i = 0; i < c.runs; i++) {
      const t = performance.now();
      await ask(c.collector, c.query);
      times.push(performance.now() - t);
    }
    const sorted = [...times].sort((a, b) => a - b);
    results.push({ name: c.name, source: c.source, runs: c.runs, p50: median(times), p90: percentile(sorted, 0.9), goal: '', answer: null });
    process.stderr.write(`queries: ${c.name}: p50 ${median(times).toFixed(2)} ms\n`);
  }
  const hits = (await cached.metrics.text()).match(/^sluice_query_cache_hits_total\{question="trends"\} (\d+)$/m)?.[1];
  process.stderr.write(`queries: the cached collector answered ${hits ?? 0} of ${API_CASES[0].runs} asks from memory\n`);
  await cached.close();
  await uncached.close();
}

// The person-level funnel again once the tables it reads are merged to one part each, as a
// long-running ClickHouse's background merges leave them. The bulk load above leaves each table in
// several parts that every id spans, and chDB does not merge parts that large within the wait above.
// Runs after the GraphQL cases, which therefore read the tables as loaded, like the rows above.
const personFunnel = CASES.find((c) => c.name.startsWith('funnel by person'));
if (personFunnel) {
  for (const table of ['events_by_id', 'identity_link_keys', 'identity_aliases']) await client.command({ query: `OPTIMIZE TABLE sluice.${table} FINAL` });
  await timeCase({ ...personFunnel, name: 'funnel by person, once events_by_id and the identity graph are merged (OPTIMIZE … FINAL)', goal: '' });
}

// For comparison only (not part of the schema): the same daily trend from hourly rollups built here,
// in the temp database, from the same events, with other ways to hold the count:
// - `count` SummingMergeTree: what the schema's `events SimpleAggregateFunction(sum, UInt64)` reads;
// - `uniq(message_id)` states: the schema before 2026-11-21 (duplicate-proof, one hash per event);
// - `uniqCombined(12)` states: a small sketch (HyperLogLog with 4096 cells beyond its exact stage).
const COMPARISONS = [
  { name: 'plain count', table: 'bench_hourly_counts', type: 'UInt64', engine: 'SummingMergeTree', state: 'count()', merge: 'sum(n)' },
  { name: 'uniq(message_id) states (previous schema)', table: 'bench_hourly_uniq', type: 'AggregateFunction(uniq, String)', engine: 'AggregatingMergeTree', state: 'uniqState(message_id)', merge: 'uniqMerge(n)' },
  { name: 'uniqCombined(12)(message_id) states', table: 'bench_hourly_uniqc12', type: 'AggregateFunction(uniqCombined(12), String)', engine: 'AggregatingMergeTree', state: 'uniqCombinedState(12)(message_id)', merge: 'uniqCombinedMerge(12)(n)' },
];
const exactTotal = Number((await (await client.query({ query: "SELECT uniqExact(message_id) AS n FROM sluice.events WHERE project = 'demo' AND event != ''", format: 'JSONEachRow' })).json())[0].n);
for (const c of ONLY ? [] : COMPARISONS) {
  await client.command({ query: `DROP TABLE IF EXISTS sluice.${c.table}` }); // left by an earlier run on a kept --data dir
  await client.command({
    query: `CREATE TABLE sluice.${c.table} (project LowCardinality(String), event LowCardinality(String), hour DateTime('UTC'), n ${c.type})
            ENGINE = ${c.engine} ORDER BY (project, event, hour)`,
  });
  await client.command({ query: `INSERT INTO sluice.${c.table} SELECT project, event, toStartOfHour(timestamp), ${c.state} FROM sluice.events GROUP BY ALL` });
  await client.command({ query: `OPTIMIZE TABLE sluice.${c.table} FINAL` });
  const times = [];
  const query = `SELECT toUInt32(toUnixTimestamp(toStartOfDay(hour))) AS t, event, ${c.merge} AS n_events FROM {db:Identifier}.${c.table}
                 WHERE project = {p:String} AND event != '' AND hour >= {from:DateTime64(3, 'UTC')} AND hour < {to:DateTime64(3, 'UTC')} GROUP BY t, event`;
  const query_params = { db: 'sluice', p: 'demo', from: new Date(Math.floor((now - 30 * DAY) / DAY) * DAY).toISOString().slice(0, 19).replace('T', ' '), to: new Date(now).toISOString().slice(0, 19).replace('T', ' ') };
  let total = 0;
  for (let i = 0; i <= RUNS.fast; i++) {
    const t = performance.now();
    const got = await (await client.query({ query, query_params, format: 'JSONEachRow' })).json();
    if (i > 0) times.push(performance.now() - t);
    total = got.reduce((sum, r) => sum + Number(r.n_events), 0);
  }
  const [{ bytes }] = await (await client.query({ query: `SELECT sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = 'sluice' AND table = '${c.table}' AND active`, format: 'JSONEachRow' })).json();
  const sorted = [...times].sort((a, b) => a - b);
  const error = `${(((total - exactTotal) / exactTotal) * 100).toFixed(2)} % vs exact, ${fmt(Number(bytes))} B on disk`;
  results.push({ name: `(comparison) trends by day from an hourly rollup of ${c.name}`, source: c.table, runs: RUNS.fast, p50: median(times), p90: percentile(sorted, 0.9), goal: error, answer: null });
  process.stderr.write(`queries: comparison ${c.name}: p50 ${median(times).toFixed(1)} ms, ${error}\n`);
}

const funnelOf = (prefix) => (results.find((r) => r.name.startsWith(prefix))?.answer ?? []).map((s) => `${s.step} ${fmt(s.users)}`).join(' → ');
const markdown = [
  `### Query latency on ${fmt(Number(rows))} events (embedded chDB, project "demo", ${fmt(USERS)} people, ${fmt(Number(ids))} distinct_ids)`,
  '',
  `Generated in ${insertS.toFixed(1)} s with INSERT … SELECT through the migrations; rollup rows: events_hourly ${fmt(Number(hourly))}, events_daily ${fmt(Number(daily))}; linked anonymous ids: ${fmt(Number(links))}.`,
  '',
  table(
    ['question', 'read from', 'runs', 'p50 ms', 'p90 ms', 'goal or note'],
    results.map((r) => [r.name, r.source, r.runs, r.p50.toFixed(1), r.p90.toFixed(1), r.goal]),
  ),
  '',
  `Funnel by person: ${funnelOf('funnel by person')}; by distinct_id: ${funnelOf('funnel by distinct_id')}`,
].join('\n');

await engine.close();
if (!KEEP) removeDir(dir);
report('queries', {
  settings: { events: EVENTS, users: USERS, runs: RUNS },
  markdown,
  data: results.map(({ answer, ...r }) => r),
});

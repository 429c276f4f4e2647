#!/usr/bin/env node
// npm run demo [-- --once] [-- --users N] [-- --port N] [-- --data DIR]
// Starts a collector on embedded ClickHouse, drives simulated users through both SDKs, prints what
// landed, then keeps serving the demo page until Ctrl-C (or exits 0 with --once).
import { parseArgs } from 'node:util';
import { createCollector } from '@sluice/collector';
import { drive } from './drive.mjs';
import { countEvents, productQueries, retentionByDay, storage, waitForLanding } from './report.mjs';
import { startServer } from './server.mjs';
import { journeys, STEPS } from './simulate.mjs';
import { taxonomy } from './taxonomy.mjs';
import { bar, bytes, count, percent, progressLine, section } from './print.mjs';

const PROJECT = 'demo';
const WRITE_KEY = 'demo-write-key';
const READ_KEY = 'demo-read-key';
const DAY = 86_400_000;

function options() {
  try {
    const { values } = parseArgs({
      options: {
        once: { type: 'boolean', default: false },
        users: { type: 'string', default: '3000' },
        days: { type: 'string', default: '7' },
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        data: { type: 'string', default: '.sluice/demo' },
      },
    });
    const users = Number(values.users);
    const days = Number(values.days);
    if (!Number.isInteger(users) || users < 1) throw new Error('--users takes a positive whole number, such as --users 3000');
    if (!Number.isInteger(days) || days < 1 || days > 60) throw new Error('--days takes a whole number from 1 to 60');
    if (values.port !== undefined && !/^\d+$/.test(values.port)) throw new Error('--port takes a port number, such as --port 8080');
    return { ...values, users, days };
  } catch (error) {
    console.error(`demo: ${error.message}`);
    process.exit(2);
  }
}

async function listen(collector, { port, host }, countEvents) {
  const attempt = (p) => startServer({ collector, port: p, host, writeKey: WRITE_KEY, countEvents });
  if (port !== undefined) return attempt(Number(port));
  try {
    return await attempt(8080);
  } catch (error) {
    if (error.code !== 'EADDRINUSE') throw error;
    return attempt(0); // 8080 is taken: any free port will do for the demo
  }
}

async function resetDemoData(client, database) {
  const tables = await (
    await client.query({
      query: "SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree' AND name != 'schema_migrations'",
      query_params: { db: database },
      format: 'JSONEachRow',
    })
  ).json();
  for (const { name } of tables) await client.command({ query: `TRUNCATE TABLE ${database}.\`${name}\`` });
}

async function main() {
  const opts = options();
  console.log(`\nSluice demo · embedded ClickHouse (chDB) in ${opts.data}\n`);
  const collector = createCollector({
    writeKeys: { [WRITE_KEY]: PROJECT },
    engine: { embedded: { path: opts.data } },
    // Acknowledged once fsynced to this write-ahead log (the default ack mode), then inserted.
    wal: { dir: `${opts.data}-wal` },
    taxonomy,
    dashboard: { readKey: READ_KEY, project: PROJECT, steps: STEPS, retention: { start: STEPS[1], returning: 'Dashboard Viewed' } },
  });
  let started;
  try {
    started = await collector.ready();
  } catch (error) {
    // Another demo (or collector) holding the data directory or its log is the usual cause.
    const held = /in use|lock/i.test(error.message);
    console.error(`demo: ${error.message.split('\n')[0]}`);
    if (held) console.error(`demo: stop the other demo (Ctrl-C), or run this one elsewhere: npm run demo -- --data .sluice/demo2`);
    await collector.close(1_000).catch(() => {});
    process.exit(1);
  }
  const { client, database } = started.engine;
  await resetDemoData(client, database);
  const { server, url } = await listen(collector, opts, () => countEvents(client, { database, project: PROJECT }));
  const applied = started.migrations.applied;
  console.log(`  collector   ${url}  (write key "${WRITE_KEY}" → project "${PROJECT}")`);
  console.log(`  dashboard   ${url}/dashboard  (log in with the read key "${READ_KEY}")`);
  console.log(`  schema      ${applied.length ? `migrations applied: ${applied.join(', ')}` : 'up to date; demo data from the last run cleared'}`);
  console.log(`  story       ${count(opts.users)} simulated visitors arriving anonymously over ${opts.days} days of event time\n`);

  // Midnight UTC, so that daily cohorts and every number come out the same on every run.
  const start = Math.floor((Date.now() - (opts.days * 2 + 1) * DAY) / DAY) * DAY;
  const sendStarted = Date.now();
  const result = await drive({
    endpoint: url,
    writeKey: WRITE_KEY,
    total: opts.users,
    journeys: journeys({ users: opts.users, days: opts.days, start }),
    onProgress: (p) => progressLine(`  sending     ${bar(p.users / p.total, 24)}  ${count(p.users)} / ${count(p.total)} visitors · ${count(p.sent)} events`, p.users === p.total),
  });
  const acked = Date.now();
  const expected = result.sent - result.dropped - result.rejected;
  const landing = await waitForLanding(client, { database, project: PROJECT, expected });
  console.log(`  sent        ${count(result.sent)} events in ${((acked - sendStarted) / 1000).toFixed(1)} s (${count(result.rejected)} rejected, ${count(result.dropped)} dropped)`);
  console.log(`  landed      ${count(landing.landed)} of ${count(expected)} acknowledged events, queryable ${(landing.ms / 1000).toFixed(1)} s after the last acknowledgement`);

  await printReport(client, database, { from: start - DAY, to: Date.now() });

  if (opts.once) {
    await shutdown(server, collector, 0);
    return;
  }
  console.log(`\nOpen ${url} to send events from a browser page,`);
  console.log(`and ${url}/dashboard (read key "${READ_KEY}") for the live dashboard. Ctrl-C to stop.`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void shutdown(server, collector, 0));
}

async function printReport(client, database, range) {
  const scope = { database, project: PROJECT };
  const queries = productQueries(client, scope);
  section('Top events, with the people who sent them');
  const top = await queries.topEvents({ limit: 10, ...range });
  const most = Math.max(1, ...top.map((row) => row.count));
  for (const row of top) {
    console.log(`  ${row.event.padEnd(18)} ${count(row.count).padStart(7)} events  ${count(row.users).padStart(6)} people  ${bar(row.count / most, 24)}`);
  }

  section('Funnel from the landing page, each step within 7 days of the first, counting people');
  const steps = await queries.funnel({ steps: STEPS, window: '7d', ...range });
  const first = steps[0]?.users || 1;
  steps.forEach((step, i) => {
    const fromPrevious = i === 0 ? '' : `  (${percent(step.fromPrevious)} of the step before)`;
    console.log(`  ${step.step.padEnd(18)} ${count(step.users).padStart(6)}  ${percent(step.users / first).padStart(6)}  ${bar(step.users / first, 30)}${fromPrevious}`);
  });
  const byId = await queries.funnel({ steps: STEPS.slice(0, 2), window: '7d', by: 'distinct_id', ...range });
  console.log(`  Counted by distinct_id instead, ${count(byId[1]?.users ?? 0)} of ${count(byId[0]?.users ?? 0)} would reach "${STEPS[1]}": the anonymous page views`);
  console.log('  and the signup carry different ids until identify links them (docs/identity.md).');

  section('Retention: people who signed up and came back to the dashboard');
  const cohorts = await queries.retention({ start: STEPS[1], returning: 'Dashboard Viewed', period: 'day', periods: 7, ...range });
  for (const day of retentionByDay(cohorts, [1, 2, 3, 7])) {
    console.log(`  day ${String(day.day).padEnd(3)} ${count(day.users).padStart(6)} of ${count(day.cohort)}  ${percent(day.users / (day.cohort || 1)).padStart(6)}  ${bar(day.users / (day.cohort || 1), 30)}`);
  }

  section('Storage');
  await client.command({ query: `OPTIMIZE TABLE ${database}.events FINAL` });
  const disk = await storage(client, scope);
  console.log(`  events table ${bytes(disk.disk)} on disk for ${count(disk.rows)} rows; the same rows as JSON: ${bytes(disk.raw)} (${(disk.raw / Math.max(disk.disk, 1)).toFixed(1)}× smaller)`);
  console.log('  (small tables carry fixed per-part overhead; see BENCHMARKS.md for the ratio at 1M events)');
}

async function shutdown(server, collector, code) {
  server.closeAllConnections?.();
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  await collector.close();
  process.exit(code);
}

main().catch((error) => {
  console.error(`demo: ${error?.stack ?? error}`);
  process.exit(1);
});

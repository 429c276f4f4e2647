#!/usr/bin/env node
// Sustained throughput, as a new user would measure it: `sluice serve --embedded <tmp>` (spawned CLI,
// default `--ack wal`, not pinned), driven by bench/lib/loadgen.mjs on the same machine with 16
// keep-alive connections posting batches of 100 events (~560 B each, every messageId new) as fast as
// the collector answers. After the load, /metrics is polled until `sluice_wal_bytes` is 0 (the log has
// drained into ClickHouse); the collector is then stopped and every acknowledged event is counted in
// ClickHouse. Sustained events/s = events landed / (load time + drain time), median of the runs.
//
// Then freshness at 80 % of that rate: the load generator is paced at 0.8 × the sustained median, and
// `sluice_wal_oldest_unsent_age_seconds` (age of the oldest acknowledged event not yet inserted) is
// sampled every 50 ms. Its p99 bounds ack → queryable from above: an event is queryable once it is no
// longer unsent.
//
// CPU is split by thread from /proc (JS main thread, Node's helper threads, chDB's threads) over load +
// drain, so the collector's own cost per event holds for users whose ClickHouse runs elsewhere.
//
//   node bench/sustained.mjs [--quick] [--seconds N] [--runs N] [--connections 16] [--clickhouse URL]
//        [--cli PATH]   (another build of the CLI, to compare two builds on the same machine)
//
// With --clickhouse URL the collector writes to that server (`sluice serve --clickhouse URL`) and the
// landed events are counted there (the schema needs ClickHouse ≥ 25.3).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createClient } from '@clickhouse/client';
import { BENCH, CLI, fmt, lastJson, median, opt, percentile, QUICK, removeDir, report, runNode, startServer, table, tempDir, threadCpu } from './lib/common.mjs';

const SECONDS = Number(opt('seconds', QUICK ? 3 : 10));
const RUNS = Number(opt('runs', QUICK ? 1 : 3));
const CONNECTIONS = Number(opt('connections', 16));
const FRESHNESS_SHARE = 0.8;
const CLICKHOUSE = opt('clickhouse', undefined);
const SERVE = resolve(opt('cli', CLI));
const DRAIN_TIMEOUT_MS = 300_000;
const LOADGEN = join(BENCH, 'lib/loadgen.mjs');
const COUNT = join(BENCH, 'lib/count-landed.mjs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const newPrefix = () => Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');

async function gauge(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

async function countServer(prefix) {
  const client = createClient({ url: CLICKHOUSE });
  try {
    const rs = await client.query({ query: `SELECT count() AS rows, uniqExact(message_id) AS distinct FROM sluice.events WHERE startsWith(message_id, '${prefix}')`, format: 'JSONEachRow' });
    const [row] = await rs.json();
    return { rows: Number(row.rows), distinct: Number(row.distinct) };
  } finally {
    await client.close();
  }
}

/** One collector: start it, run `phase(url, pid)`, stop it, count what landed. */
async function withCollector(label, phase) {
  const dir = tempDir(label);
  const target = CLICKHOUSE ? ['--clickhouse', CLICKHOUSE] : ['--embedded', `${dir}/data`];
  const server = await startServer(process.execPath, [SERVE, 'serve', '--port', '0', ...target, '--wal', `${dir}/wal`, '--write-key', 'bench=bench'], { ready: /listening on (http:\/\/[^\s]+)/, cwd: dir });
  const url = server.match[1].replace(/\/$/, '');
  let result;
  try {
    await sleep(300);
    result = await phase(url, server.pid);
  } finally {
    await server.stop(60_000);
  }
  try {
    result.landed = CLICKHOUSE ? await countServer(result.prefix) : lastJson(await runNode(COUNT, [join(dir, 'data'), result.prefix], { timeoutMs: 120_000 }));
  } catch (error) {
    result.landed = { error: String(error.message ?? error).slice(0, 500) };
  }
  removeDir(dir);
  result.lost = Number.isFinite(result.landed.distinct) ? Math.max(0, result.acked - result.landed.distinct) : NaN;
  return result;
}

function cpuDelta(before, after, events) {
  return Object.fromEntries(Object.keys(after).map((k) => [k, ((after[k] - (before[k] ?? 0)) / events) * 1e6])); // µs per event
}

async function sustainedRun(run) {
  return withCollector('sustained', async (url, pid) => {
    const prefix = newPrefix();
    const cpu0 = threadCpu(pid);
    const load = lastJson(await runNode(LOADGEN, ['--url', url, '--connections', String(CONNECTIONS), '--duration', String(SECONDS), '--prefix', prefix]));
    const loadEnd = performance.now();
    let walBytesAtEnd = NaN;
    let ageAtEnd = NaN;
    try {
      walBytesAtEnd = await gauge(url, 'sluice_wal_bytes');
      ageAtEnd = await gauge(url, 'sluice_wal_oldest_unsent_age_seconds');
    } catch {}
    for (;;) {
      const bytes = await gauge(url, 'sluice_wal_bytes');
      if (bytes === 0) break;
      if (!Number.isFinite(bytes)) throw new Error('/metrics has no sluice_wal_bytes: is the collector running with --ack wal?');
      if (performance.now() - loadEnd > DRAIN_TIMEOUT_MS) throw new Error(`the log did not drain within ${DRAIN_TIMEOUT_MS / 1000} s`);
      await sleep(50);
    }
    const drained = performance.now();
    const cpu = cpuDelta(cpu0, threadCpu(pid), load.acked);
    const r = {
      prefix,
      acked: load.acked,
      ackedPerSec: load.ackedPerSec,
      statuses: load.statuses,
      eventBytes: load.eventBytes,
      p99ms: load.p99ms,
      loadS: load.durationS, // measured by the load generator, without its own start-up
      drainS: (drained - loadEnd) / 1000,
      walBytesAtEnd,
      oldestUnsentAtEndS: ageAtEnd,
      cpuMicrosPerEvent: cpu,
    };
    console.error(`sustained run ${run}: acked ${fmt(r.ackedPerSec)}/s during ${fmt(r.loadS, 1)} s, log ${fmt(walBytesAtEnd / 1e6, 1)} MB behind (oldest unsent ${fmt(ageAtEnd, 1)} s), drained in ${fmt(r.drainS, 1)} s; CPU µs/event main ${fmt(cpu.main, 1)} / node ${fmt(cpu.node, 1)} / chDB ${fmt(cpu.chdb, 1)}`);
    return r;
  });
}

async function freshnessRun(rate) {
  return withCollector('sustained-fresh', async (url) => {
    const prefix = newPrefix();
    const samples = [];
    let stop = false;
    const sampler = (async () => {
      while (!stop) {
        const age = await gauge(url, 'sluice_wal_oldest_unsent_age_seconds').catch(() => NaN);
        if (Number.isFinite(age)) samples.push(age * 1000);
        await sleep(50);
      }
    })();
    const load = lastJson(await runNode(LOADGEN, ['--url', url, '--connections', String(CONNECTIONS), '--duration', String(SECONDS), '--prefix', prefix, '--rate', String(Math.round(rate))]));
    stop = true;
    await sampler;
    while ((await gauge(url, 'sluice_wal_bytes')) > 0) await sleep(50);
    samples.sort((a, b) => a - b);
    const r = { prefix, acked: load.acked, ackedPerSec: load.ackedPerSec, rate, p50ms: percentile(samples, 0.5), p99ms: percentile(samples, 0.99), maxMs: samples.at(-1), samples: samples.length };
    console.error(`freshness at ${fmt(rate)} events/s: acked ${fmt(r.ackedPerSec)}/s, oldest-unsent age p50 ${fmt(r.p50ms)} ms, p99 ${fmt(r.p99ms)} ms, max ${fmt(r.maxMs)} ms`);
    return r;
  });
}

const runs = [];
for (let i = 1; i <= RUNS; i++) runs.push(await sustainedRun(i));
const landedPerSec = (r) => (Number.isFinite(r.landed.distinct) ? r.landed.distinct / (r.loadS + r.drainS) : NaN);
const sustained = median(runs.map(landedPerSec));
const fresh = await freshnessRun(FRESHNESS_SHARE * sustained);

const ceilingFile = join(BENCH, 'results/ceiling.json');
const ceiling = existsSync(ceilingFile) ? JSON.parse(readFileSync(ceilingFile, 'utf8')).data?.eventsPerCpuSec : undefined;
const ceilingMicros = ceiling ? 1e6 / ceiling : NaN;
const cpu = Object.fromEntries(['main', 'node', 'chdb'].map((k) => [k, median(runs.map((r) => r.cpuMicrosPerEvent[k]))]));
const own = cpu.main + cpu.node;
const data = {
  sustainedPerSec: sustained,
  ackedPerSec: median(runs.map((r) => r.ackedPerSec)),
  drainS: median(runs.map((r) => r.drainS)),
  oldestUnsentAtEndS: median(runs.map((r) => r.oldestUnsentAtEndS)),
  cpuMicrosPerEvent: cpu,
  ownMicrosPerEvent: own,
  ceilingMicrosPerEvent: ceilingMicros,
  ownToCeiling: own / ceilingMicros,
  freshness: fresh,
  acked: [...runs, fresh].reduce((s, r) => s + r.acked, 0),
  lost: [...runs, fresh].reduce((s, r) => s + (Number.isFinite(r.lost) ? r.lost : 0), 0),
  unchecked: [...runs, fresh].filter((r) => !Number.isFinite(r.lost)).length,
  target: CLICKHOUSE ? 'server' : 'embedded',
  runs,
};
const markdown = [
  table(
    ['sustained (sluice serve, ack wal, 16 conns, log drained)', 'value'],
    [
      ['sustained events/s: landed / (load + drain), median', fmt(data.sustainedPerSec)],
      ['acknowledged events/s during the load', fmt(data.ackedPerSec)],
      ['drain after the load, s / oldest unsent at its end, s', `${fmt(data.drainS, 1)} / ${fmt(data.oldestUnsentAtEndS, 1)}`],
      ['CPU µs per event: JS main / Node helpers / chDB', `${fmt(cpu.main, 1)} / ${fmt(cpu.node, 1)} / ${fmt(cpu.chdb, 1)}`],
      ['collector’s own CPU (main + helpers) vs compute ceiling', `${fmt(own, 1)} µs = ${fmt(data.ownToCeiling, 2)}× of ${fmt(ceilingMicros, 1)} µs`],
      [`freshness at ${Math.round(FRESHNESS_SHARE * 100)} % (${fmt(fresh.rate)} events/s): oldest-unsent age p50 / p99 ms`, `${fmt(fresh.p50ms)} / ${fmt(fresh.p99ms)}`],
      ['landed / acknowledged (all runs)', `${fmt(data.acked - data.lost)} / ${fmt(data.acked)}${data.lost ? ` (LOST ${fmt(data.lost)})` : ''}${data.unchecked ? ` (${data.unchecked} unchecked)` : ''}`],
    ],
  ),
  '',
  `\`sluice serve ${CLICKHOUSE ? '--clickhouse <url>' : '--embedded <tmp>'}\` (default ack wal), not pinned; bench/lib/loadgen.mjs on the same machine, ${CONNECTIONS} keep-alive connections, batches of 100 events of ~${fmt(runs[0]?.eventBytes ?? NaN)} B with new messageIds; ${RUNS} run(s) of ${SECONDS} s, then /metrics polled until sluice_wal_bytes is 0. CPU by thread from /proc over load + drain, divided by acknowledged events. Freshness: sluice_wal_oldest_unsent_age_seconds sampled every 50 ms under a paced load (an upper bound on ack → queryable).`,
].join('\n');
report('sustained', { settings: { seconds: SECONDS, runs: RUNS, connections: CONNECTIONS, clickhouse: CLICKHOUSE ? 'server' : 'embedded' }, markdown, data });

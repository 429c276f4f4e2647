#!/usr/bin/env node
// Collector throughput: `sluice serve` (packages/collector/dist/cli.js) on embedded chDB in a temp dir,
// pinned to core 0 with everything it runs (chDB's threads included), driven by bench/lib/loadgen.mjs
// pinned to core 1: batches of 100 demo-like events over keep-alive connections for a fixed time.
// Reports acknowledged events/s, p50/p99 response time, server CPU seconds per million events (load +
// shutdown drain), peak RSS, and checks that every acknowledged event landed (count distinct
// message_id in the data dir once the server has exited).
//
//   node bench/collector.mjs [--quick] [--seconds N] [--runs N] [--only memory-json,wal-json,…] [--cli PATH]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { CLI, fmt, median, opt, QUICK, report, table } from './lib/common.mjs';
import { loadRun } from './lib/serve-load.mjs';

const SECONDS = Number(opt('seconds', QUICK ? 3 : 10));
const RUNS = Number(opt('runs', QUICK ? 1 : 3));
const ONLY = opt('only', '')?.split(',').filter(Boolean);
// `--cli PATH` serves with another build of the CLI (an A/B against an older checkout's dist/cli.js).
const SERVE = resolve(opt('cli', CLI));

// Which ack modes does this build of the CLI offer? (`--ack wal` arrives with the write-ahead log.)
const help = execFileSync(process.execPath, [SERVE, '--help']).toString();
const ackModes = (/--ack\s+([a-z|]+)/.exec(help)?.[1] ?? 'memory').split('|');

// Connections per ack mode: `clickhouse` answers only after the writer's batch is inserted (10k rows or
// 1 s), so it needs enough requests in flight to fill batches; the others answer at once.
const VARIANTS = [
  { id: 'wal-json', ack: 'wal', format: 'json', connections: 32 },
  { id: 'wal-msgpack', ack: 'wal', format: 'msgpack', connections: 32 },
  { id: 'memory-json', ack: 'memory', format: 'json', connections: 16 },
  { id: 'memory-msgpack', ack: 'memory', format: 'msgpack', connections: 16 },
  { id: 'clickhouse-json', ack: 'clickhouse', format: 'json', connections: 200 },
  { id: 'clickhouse-msgpack', ack: 'clickhouse', format: 'msgpack', connections: 200 },
].filter((v) => !ONLY?.length || ONLY.includes(v.id));

const results = [];
for (const v of VARIANTS) {
  if (!ackModes.includes(v.ack)) {
    results.push({ ...v, skipped: `n/a: this build's \`sluice serve --help\` offers --ack ${ackModes.join('|')}` });
    console.error(`collector ${v.id}: skipped (no --ack ${v.ack})`);
    continue;
  }
  const runs = [];
  for (let r = 0; r < RUNS; r++) {
    try {
      const run = await loadRun({
        label: v.id,
        format: v.format,
        connections: v.connections,
        seconds: SECONDS,
        replay: v.ack === 'wal' ? { script: SERVE, args: (dir) => ['replay', `${dir}/wal`, '--embedded', `${dir}/data`] } : undefined,
        args: (dir) => [SERVE, 'serve', '--port', '0', '--embedded', `${dir}/data`, '--wal', `${dir}/wal`, '--write-key', 'bench=bench', '--ack', v.ack],
      });
      runs.push(run);
      console.error(
        `collector ${v.id} run ${r + 1}/${RUNS}: ${fmt(run.ackedPerSec)} acked events/s, p50 ${fmt(run.p50ms, 1)} ms, p99 ${fmt(run.p99ms, 1)} ms, ` +
          `landed ${run.landed.distinct}/${run.acked}${run.leftInLog ? ` (${run.leftInLog} were still in the WAL at shutdown and landed by \`sluice replay\`)` : ''}, statuses ${JSON.stringify(run.statuses)}${run.firstError ? `, first error ${run.firstError}` : ''}`,
      );
    } catch (error) {
      console.error(`collector ${v.id} run ${r + 1}: failed: ${error.message}`);
      runs.push({ error: String(error.message).slice(0, 1000) });
    }
  }
  const ok = runs.filter((r) => !r.error);
  const m = (k) => median(ok.map((r) => r[k]));
  results.push({
    ...v,
    runs,
    ackedPerSec: m('ackedPerSec'),
    landedPerSecWithDrain: m('landedPerSecWithDrain'),
    p50ms: m('p50ms'),
    p99ms: m('p99ms'),
    cpuSecPerMillion: m('cpuSecPerMillion'),
    threadCpuPerMillion: Object.fromEntries(['main', 'node', 'chdb'].map((k) => [k, median(ok.map((r) => r.threadCpuPerMillion?.[k]))])),
    peakRssMB: m('peakRssMB'),
    drainS: m('drainS'),
    acked: ok.reduce((s, r) => s + r.acked, 0),
    lost: ok.reduce((s, r) => s + (Number.isFinite(r.lost) ? r.lost : 0), 0),
    unchecked: ok.filter((r) => !Number.isFinite(r.lost)).length,
    leftInLog: ok.reduce((s, r) => s + (r.leftInLog ?? 0), 0),
    non200: ok.reduce((s, r) => s + Object.entries(r.statuses).filter(([k]) => k !== '200').reduce((a, [, n]) => a + n, 0), 0),
    failedRuns: runs.length - ok.length,
    pinned: ok[0]?.pinned,
    eventBytes: ok[0]?.eventBytes,
  });
}
results.push({ id: 'clickhouse-server', skipped: "n/a (Debian's clickhouse-server 18.16 cannot hold the schema: no JSON type, no DateTime64)" });

const rows = results.map((r) =>
  r.skipped
    ? [r.id, r.skipped, '', '', '', '', '', '', '', '']
    : [
        r.id,
        fmt(r.ackedPerSec),
        fmt(r.landedPerSecWithDrain),
        `${fmt(r.p50ms, 1)} / ${fmt(r.p99ms, 1)}`,
        fmt(r.cpuSecPerMillion, 1),
        `${fmt(r.threadCpuPerMillion.main, 1)} / ${fmt(r.threadCpuPerMillion.chdb, 1)} / ${fmt(r.threadCpuPerMillion.node, 1)}`,
        fmt(r.peakRssMB),
        String(r.connections),
        `${fmt(r.acked - r.lost)} / ${fmt(r.acked)}${r.lost ? ` (LOST ${fmt(r.lost)})` : ''}${r.leftInLog ? ` (${fmt(r.leftInLog)} via replay)` : ''}${r.unchecked ? ` (${r.unchecked} run(s) unchecked)` : ''}`,
        `${r.non200}${r.failedRuns ? `, ${r.failedRuns} run(s) failed` : ''}`,
      ],
);
const markdown = [
  table(
    ['variant (ack-body)', 'acked events/s', 'landed events/s incl. drain', 'p50 / p99 ms', 'CPU s per 1M events', 'of which JS main / chDB / node helpers', 'peak RSS MB', 'conns', 'landed / acked (all runs)', 'non-200 responses'],
    rows,
  ),
  '',
  `\`sluice serve --embedded <tmp> --ack <mode>\`, ${results.find((r) => r.pinned !== undefined)?.pinned ? 'server pinned to core 0 (`taskset -c 0`, chDB threads included), load generator on core 1' : 'not pinned (no taskset)'}; ` +
    `batches of 100 events (~${fmt(results.find((r) => r.eventBytes)?.eventBytes ?? NaN)} B each) over keep-alive connections; ${RUNS} run(s) of ${SECONDS} s, median. ` +
    `CPU is the server's utime+stime from the start of the load until it exited after draining; the split by thread (from /proc/<pid>/task, load only, drain excluded) separates the JS main thread, chDB's threads (insert pipeline, merges) and Node's helper threads (GC, libuv). "landed events/s incl. drain" divides what landed by load time plus shutdown drain time. With \`--ack wal\`, events still in the log when the shutdown deadline passed are sent by \`sluice replay <wal> --embedded <data>\` before counting ("via replay").`,
].join('\n');
report('collector', { settings: { seconds: SECONDS, runs: RUNS, ackModes }, markdown, data: { variants: results } });

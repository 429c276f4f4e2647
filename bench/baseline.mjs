#!/usr/bin/env node
// The naive baseline (bench/lib/baseline-server.mjs: Express + JSON.parse + zod + one client.insert
// per request into embedded chDB) under the same load generator and accounting as the collector.
//   node bench/baseline.mjs [--quick] [--seconds N] [--runs N]
import { join } from 'node:path';
import { BENCH, fmt, median, opt, QUICK, report, table } from './lib/common.mjs';
import { loadRun } from './lib/serve-load.mjs';

const SECONDS = Number(opt('seconds', QUICK ? 3 : 10));
const RUNS = Number(opt('runs', QUICK ? 1 : 3));
const CONNECTIONS = 16;

const runs = [];
for (let r = 0; r < RUNS; r++) {
  try {
    const run = await loadRun({ label: 'baseline', format: 'json', connections: CONNECTIONS, seconds: SECONDS, args: (dir) => [join(BENCH, 'lib/baseline-server.mjs'), `${dir}/data`] });
    runs.push(run);
    console.error(`baseline run ${r + 1}/${RUNS}: ${fmt(run.ackedPerSec)} acked events/s, p99 ${fmt(run.p99ms, 1)} ms, landed ${run.landed.distinct}/${run.acked}, statuses ${JSON.stringify(run.statuses)}${run.firstError ? `, first error ${run.firstError}` : ''}`);
  } catch (error) {
    console.error(`baseline run ${r + 1}: failed: ${error.message}`);
    runs.push({ error: String(error.message).slice(0, 1000) });
  }
}
const ok = runs.filter((r) => !r.error);
const m = (k) => median(ok.map((r) => r[k]));
const data = {
  ackedPerSec: m('ackedPerSec'),
  p50ms: m('p50ms'),
  p99ms: m('p99ms'),
  cpuSecPerMillion: m('cpuSecPerMillion'),
  threadCpuPerMillion: Object.fromEntries(['main', 'node', 'chdb'].map((k) => [k, median(ok.map((r) => r.threadCpuPerMillion?.[k]))])),
  peakRssMB: m('peakRssMB'),
  acked: ok.reduce((s, r) => s + r.acked, 0),
  lost: ok.reduce((s, r) => s + (Number.isFinite(r.lost) ? r.lost : 0), 0),
  non200: ok.reduce((s, r) => s + Object.entries(r.statuses).filter(([k]) => k !== '200').reduce((a, [, n]) => a + n, 0), 0),
  failedRuns: runs.length - ok.length,
  pinned: ok[0]?.pinned,
  runs,
};
const markdown = [
  table(
    ['baseline', 'acked events/s', 'p50 / p99 ms', 'CPU s per 1M events', 'JS main / chDB / node helpers', 'peak RSS MB', 'conns', 'landed / acked', 'non-200'],
    [['Express + JSON.parse + zod + client.insert per request (chDB)', fmt(data.ackedPerSec), `${fmt(data.p50ms, 1)} / ${fmt(data.p99ms, 1)}`, fmt(data.cpuSecPerMillion, 1), `${fmt(data.threadCpuPerMillion.main, 1)} / ${fmt(data.threadCpuPerMillion.chdb, 1)} / ${fmt(data.threadCpuPerMillion.node, 1)}`, fmt(data.peakRssMB), String(CONNECTIONS), `${fmt(data.acked - data.lost)} / ${fmt(data.acked)}`, `${data.non200}${data.failedRuns ? `, ${data.failedRuns} run(s) failed` : ''}`]],
  ),
  '',
  `Same load generator, pinning and accounting as the collector; ${RUNS} run(s) of ${SECONDS} s, median. Answers after its insert (like \`--ack clickhouse\`).`,
].join('\n');
report('baseline', { settings: { seconds: SECONDS, runs: RUNS }, markdown, data });

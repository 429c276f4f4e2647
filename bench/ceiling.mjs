#!/usr/bin/env node
// The compute ceiling of a JSON collector: JSON.parse + parseBatch (schema validation) + one NDJSON
// line per event (JSON.stringify of the row, as the writer does), in a tight loop on one core, no I/O.
// Batches of 100 demo-like events (bench/lib/events.mjs).
//
//   taskset -c 0 node bench/ceiling.mjs [--quick]      (bench/run.mjs pins it to core 0 for you)
import { parseBatch } from '@sluice/schema';
import { fmt, median, QUICK, report, table } from './lib/common.mjs';
import { makeBatches, toRow } from './lib/events.mjs';

const RUNS = 3;
const SECONDS = QUICK ? 1 : 3;
const bodies = makeBatches(64, 100).map((b) => JSON.stringify(b));
const bytesPerBatch = bodies.reduce((s, b) => s + Buffer.byteLength(b), 0) / bodies.length;

function loop(seconds, work) {
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  let batches = 0;
  let events = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) events += work(bodies[(batches++) % bodies.length]);
  }
  const s = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  return { eventsPerSec: events / s, eventsPerCpuSec: events / cpuS, mbPerSec: (batches * bytesPerBatch) / s / 1e6 };
}

let sink = 0;
const stages = {
  'JSON.parse': (body) => JSON.parse(body).batch.length,
  'JSON.parse + parseBatch': (body) => {
    const r = parseBatch(JSON.parse(body));
    return r.success ? r.events.length : 0;
  },
  'JSON.parse + parseBatch + rows + NDJSON (ceiling)': (body) => {
    const receivedAt = Date.now();
    const r = parseBatch(JSON.parse(body));
    if (!r.success) return 0;
    let out = '';
    for (const { event } of r.events) out += JSON.stringify(toRow(event, 'bench', receivedAt, r.sentAt)) + '\n';
    sink += out.length;
    return r.events.length;
  },
};

const results = {};
for (const [name, work] of Object.entries(stages)) {
  loop(QUICK ? 0.3 : 1, work); // warm-up
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(loop(SECONDS, work));
  results[name] = { eventsPerSec: median(runs.map((r) => r.eventsPerSec)), eventsPerCpuSec: median(runs.map((r) => r.eventsPerCpuSec)), mbPerSec: median(runs.map((r) => r.mbPerSec)), runs };
}
const ceiling = results['JSON.parse + parseBatch + rows + NDJSON (ceiling)'];
const markdown = table(
  ['stage (one core, batches of 100 events)', 'events/s (median)', 'events per CPU-second', 'µs CPU per event', 'MB/s of JSON'],
  Object.entries(results).map(([name, r]) => [name, fmt(r.eventsPerSec), fmt(r.eventsPerCpuSec), fmt(1e6 / r.eventsPerCpuSec, 2), fmt(r.mbPerSec, 0)]),
);
report('ceiling', {
  settings: { runs: RUNS, seconds: SECONDS, eventBytes: Math.round(bytesPerBatch / 100), sink: sink > 0 },
  markdown: `${markdown}\n\nEvents average ${fmt(bytesPerBatch / 100)} bytes of JSON; ${RUNS} runs of ${SECONDS} s each, median. "events per CPU-second" divides by the process's own CPU time, which is steadier than wall time when the machine is shared.`,
  data: { eventsPerSec: ceiling.eventsPerSec, eventsPerCpuSec: ceiling.eventsPerCpuSec, stages: results, eventBytes: bytesPerBatch / 100 },
});

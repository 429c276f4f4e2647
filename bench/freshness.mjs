#!/usr/bin/env node
// Freshness: time from the collector's acknowledgement (200) to the events being visible to a query,
// at default settings: `ack: 'wal'` (fsynced to the write-ahead log, then drained by the writer).
// chDB opens one data directory per process, so this runs in-process: `createCollector` on embedded
// chDB, requests through `collector.fetch`, and queries through the collector's own client
// (`collector.ready()` returns it), polling every 20 ms for the last messageId of each
// acknowledged batch.
//   node bench/freshness.mjs [--quick]
import { createCollector, DEFAULTS } from '@sluice/collector';
import { QUICK, fmt, median, percentile, removeDir, report, table, tempDir } from './lib/common.mjs';
import { makeBatches } from './lib/events.mjs';

const RUNS = QUICK ? 1 : 3;
const SECONDS = QUICK ? 3 : 8;
const RATE = 20; // requests/s of 100 events: 2,000 events/s, a steady trickle rather than a flood
const POLL_MS = 20;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const dir = tempDir('freshness');
const results = [];
const collector = createCollector({ writeKeys: { bench: 'bench' }, engine: { embedded: { path: `${dir}/data` } }, wal: { dir: `${dir}/wal` } });
try {
  const { engine } = await collector.ready();
  const templates = makeBatches(32, 100);
  const auth = `Basic ${Buffer.from('bench:').toString('base64')}`;

  for (let run = 0; run < RUNS; run++) {
    const pending = new Map(); // sentinel messageId → ack time
    const samples = [];
    let stopPolling = 0;
    const poller = (async () => {
      while (!stopPolling || (pending.size && performance.now() < stopPolling + 20_000)) {
        await sleep(POLL_MS);
        if (!pending.size) continue;
        const ids = [...pending.keys()];
        const rs = await engine.client.query({
          query: `SELECT message_id FROM ${engine.database}.events WHERE message_id IN (${ids.map((id) => `'${id}'`).join(',')})`,
          format: 'JSONEachRow',
        });
        const now = performance.now();
        for (const { message_id } of await rs.json()) {
          const at = pending.get(message_id);
          if (at !== undefined) samples.push(now - at);
          pending.delete(message_id);
        }
      }
    })();
    const end = performance.now() + SECONDS * 1000;
    let n = 0;
    const inflight = [];
    while (performance.now() < end) {
      const body = structuredClone(templates[n % templates.length]);
      body.batch.forEach((e, j) => (e.messageId = `fresh-${run}-${n}-${j}`));
      body.sentAt = new Date().toISOString();
      const sentinel = body.batch[body.batch.length - 1].messageId;
      n++;
      inflight.push(
        collector
          .fetch(new Request('http://bench/v1/batch', { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify(body) }))
          .then(async (res) => {
            const at = performance.now();
            if (res.status !== 200) throw new Error(`collector answered ${res.status}: ${await res.text()}`);
            pending.set(sentinel, at);
          }),
      );
      await sleep(1000 / RATE);
    }
    await Promise.all(inflight);
    stopPolling = performance.now();
    await poller;
    samples.sort((a, b) => a - b);
    results.push({ samples: samples.length, missing: pending.size, p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), max: samples.at(-1) });
    console.error(`freshness run ${run + 1}/${RUNS}: p50 ${fmt(percentile(samples, 0.5))} ms, p99 ${fmt(percentile(samples, 0.99))} ms over ${samples.length} batches`);
  }
} finally {
  await collector.close();
  removeDir(dir);
}

const data = { p50ms: median(results.map((r) => r.p50)), p99ms: median(results.map((r) => r.p99)), maxMs: Math.max(...results.map((r) => r.max)), runs: results, batchMaxDelayMs: DEFAULTS.batchMaxDelayMs };
const markdown = [
  table(
    ['freshness: ack → queryable', 'p50 ms', 'p99 ms', 'max ms', 'batches measured'],
    [[`default settings: ack ${DEFAULTS.ack}, writer flush at ${fmt(DEFAULTS.batchMaxRows)} rows or ${DEFAULTS.batchMaxDelayMs} ms`, fmt(data.p50ms), fmt(data.p99ms), fmt(data.maxMs), fmt(results.reduce((s, r) => s + r.samples, 0))]],
  ),
  '',
  `In-process (createCollector on embedded chDB, default ack), ${RATE} requests/s of 100 events for ${SECONDS} s, polling every ${POLL_MS} ms; ${RUNS} run(s), median of the per-run percentiles.`,
].join('\n');
report('freshness', { settings: { runs: RUNS, seconds: SECONDS, rate: RATE }, markdown, data });

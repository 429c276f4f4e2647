// Benchmarks of @sluice/sdk-node, from its built dist (run `npx turbo run build --filter=@sluice/sdk-node` first).
// Not assertions: prints medians of several runs and the machine. Usage: node --expose-gc bench/sdk-node.mjs [--quick]
import { cpus } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { pack } from 'msgpackr';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NODE_SDK_DEFAULTS, createAnalytics } from '@sluice/sdk-node';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 3 : 5;
const N = quick ? 200_000 : 1_000_000;
/** Calls between yields to the event loop, as a busy server would interleave requests. */
const CHUNK = 1_000;

const okResponse = () => new Response('{"success":true,"accepted":0,"rejected":[]}', { status: 200, headers: { 'content-type': 'application/json' } });
const stubFetch = async () => okResponse();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const gc = () => globalThis.gc?.();
const props = (i) => ({ plan: 'pro', total: i * 1.5, currency: 'EUR', items: 3, coupon: i % 3 === 0 ? 'SPRING' : null });

/** track() cost: time inside track() calls only (queued/s), and wall time until everything is acknowledged (amortised). */
async function trackCost(options) {
  gc();
  const analytics = createAnalytics({ writeKey: 'bench', endpoint: 'http://127.0.0.1:1', fetch: stubFetch, ...options });
  let inside = 0;
  const started = performance.now();
  for (let done = 0; done < N; done += CHUNK) {
    const t = performance.now();
    for (let i = done; i < done + CHUNK; i++) analytics.track({ event: 'Order Placed', userId: `u${i & 1023}`, properties: props(i) });
    inside += performance.now() - t;
    await yieldToLoop();
  }
  await analytics.flush();
  const wall = performance.now() - started;
  const stats = analytics.stats();
  await analytics.shutdown({ timeoutMs: 1_000 });
  if (stats.sent + stats.dropped !== N) throw new Error(`accounting: ${JSON.stringify(stats)}`);
  return { insideNsPerCall: (inside * 1e6) / N, queuedPerSec: N / (inside / 1e3), amortisedNsPerCall: (wall * 1e6) / N, dropped: stats.dropped };
}

/** Memory during a 1M-event burst with the collector down (connection refused), default maxQueueSize. */
async function burstMemory() {
  gc();
  const before = process.memoryUsage();
  let dropped = 0;
  const analytics = createAnalytics({ writeKey: 'bench', endpoint: 'http://127.0.0.1:1', onDrop: (d) => (dropped += d.count), retry: { attempts: 1000 } });
  let peakRss = 0;
  let peakHeap = 0;
  for (let done = 0; done < N; done += CHUNK) {
    for (let i = done; i < done + CHUNK; i++) analytics.track({ event: 'Order Placed', userId: `u${i & 1023}`, properties: props(i) });
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    await yieldToLoop();
  }
  const stats = analytics.stats();
  const droppedDuringBurst = dropped;
  // What the queue really retains, once the garbage of dropped events is collected.
  gc();
  const retainedMB = (process.memoryUsage().heapUsed - before.heapUsed) / 2 ** 20;
  const result = await analytics.shutdown({ timeoutMs: 200 });
  return { rssMB: peakRss / 2 ** 20, rssBeforeMB: before.rss / 2 ** 20, heapMB: peakHeap / 2 ** 20, retainedMB, queued: stats.queued, dropped: droppedDuringBurst, undelivered: result.undelivered };
}

/** Event-loop stall while full-size batches (about 480 KB each) are serialised and sent. */
async function loopStall() {
  gc();
  const analytics = createAnalytics({ writeKey: 'bench', endpoint: 'http://127.0.0.1:1', fetch: stubFetch, flushAt: 2_000, maxQueueSize: 50_000 });
  const blob = 'lorem ipsum dolor sit amet '.repeat(8);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  for (let done = 0; done < 100_000; done += 200) {
    for (let i = done; i < done + 200; i++) analytics.track({ event: 'Viewed', userId: `u${i & 1023}`, properties: { ...props(i), blob } });
    await yieldToLoop();
  }
  await analytics.flush();
  histogram.disable();
  // The serialisation step on its own, through msgpackr for reference: the SDK writes the same bytes
  // with its own writer (packages/sdk-node/src/msgpack-writer.ts), about a quarter faster.
  // A batch as large as the SDK makes them by default: maxBatchBytes of JSON.
  const batch = [];
  for (let i = 0, json = 0; json < NODE_SDK_DEFAULTS.maxBatchBytes; i++) {
    const event = { type: 'track', messageId: crypto.randomUUID(), timestamp: new Date().toISOString(), event: 'Viewed', userId: `u${i}`, properties: { ...props(i), blob } };
    json += JSON.stringify(event).length + 1;
    if (json < NODE_SDK_DEFAULTS.maxBatchBytes) batch.push(event);
  }
  // The context all events share travels once, as the batch's own.
  const body = { batch, sentAt: new Date().toISOString(), context: { library: { name: '@sluice/sdk-node', version: '0.0.0' } } };
  const t = performance.now();
  let bytes = 0;
  for (let i = 0; i < 20; i++) bytes = pack(body).byteLength;
  const packMs = (performance.now() - t) / 20;
  await analytics.shutdown({ timeoutMs: 1_000 });
  return { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6, packMs, packKB: bytes / 1024, events: batch.length, requests: analytics.stats().sent };
}

if (process.argv.includes('--burst-child')) {
  process.stdout.write(JSON.stringify(await burstMemory()));
  process.exit(0);
}

const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(`@sluice/sdk-node bench — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
console.log(`${RUNS} runs each, medians; ${fmt(N)} events per run${globalThis.gc ? '' : ' (run with --expose-gc for steadier numbers)'}\n`);

for (const [label, options] of [
  ['msgpack, no compression (defaults)', {}],
  ['msgpack + gzip level 1', { compression: 'gzip' }],
  ['json, no compression', { encoding: 'json', compression: 'none' }],
]) {
  const runs = [];
  for (let r = 0; r < RUNS; r++) runs.push(await trackCost(options));
  console.log(`track() [${label}]`);
  console.log(`  inside track():     ${fmt(median(runs.map((x) => x.insideNsPerCall)))} ns/call  → ${fmt(median(runs.map((x) => x.queuedPerSec)))} events/s queued on one core`);
  console.log(`  amortised, sent:    ${fmt(median(runs.map((x) => x.amortisedNsPerCall)))} ns/call  (until every batch is acknowledged by a stub fetch; dropped ${median(runs.map((x) => x.dropped))})`);
}

{
  const runs = [];
  // Each run in a fresh process, so RSS is not inflated by the runs before it.
  const self = fileURLToPath(import.meta.url);
  for (let r = 0; r < RUNS; r++) {
    const args = ['--expose-gc', self, '--burst-child', ...(quick ? ['--quick'] : [])];
    runs.push(JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })));
  }
  console.log(`\n${fmt(N)}-event burst, collector down (connection refused), maxQueueSize ${fmt(NODE_SDK_DEFAULTS.maxQueueSize)}, fresh process per run`);
  console.log(`  RSS before ${fmt(median(runs.map((x) => x.rssBeforeMB)))} MB, peak ${fmt(median(runs.map((x) => x.rssMB)))} MB; peak heap used ${fmt(median(runs.map((x) => x.heapMB)))} MB; heap retained after GC ${fmt(median(runs.map((x) => x.retainedMB)))} MB`);
  console.log(`  queued at the end ${fmt(median(runs.map((x) => x.queued)))}, dropped (oldest first) ${fmt(median(runs.map((x) => x.dropped)))}, undelivered at shutdown ${fmt(median(runs.map((x) => x.undelivered)))}`);
}

{
  const runs = [];
  for (let r = 0; r < RUNS; r++) runs.push(await loopStall());
  console.log(`\nEvent loop while 100,000 events of ~0.4 KB are tracked and sent in full batches (${fmt(median(runs.map((x) => x.events)))} events, ${fmt(median(runs.map((x) => x.packKB)))} KB msgpack)`);
  console.log(`  loop delay p99 ${fmt(median(runs.map((x) => x.p99Ms)), 2)} ms, max ${fmt(median(runs.map((x) => x.maxMs)), 2)} ms; msgpackr pack() of one batch ${fmt(median(runs.map((x) => x.packMs)), 2)} ms`);
}

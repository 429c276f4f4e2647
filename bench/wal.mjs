// Write-ahead-log append throughput with group commit: `node bench/wal.mjs [seconds per run] [runs]`.
// Appends ~55 KB records (100 events each, the WAL sink's payload size for a 100-event request) from
// 1, 16 and 64 concurrent writers; every append resolves only after fdatasync. Prints medians over
// the runs. Uses the collector's dist if it exports the log, else bundles src/wal with esbuild.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const seconds = Number(process.argv[2] ?? 3);
const runs = Number(process.argv[3] ?? 3);
const work = await mkdtemp(join(process.env.WAL_BENCH_DIR ?? tmpdir(), 'sluice-wal-bench-'));

async function loadWal() {
  try {
    const dist = await import(pathToFileURL(join(root, 'packages/collector/dist/index.js')).href);
    if (typeof dist.createWriteAheadLog === 'function') return { ...dist, from: 'dist' };
  } catch {}
  const { build } = await import('esbuild');
  const outfile = join(work, 'wal.mjs');
  await build({ entryPoints: [join(root, 'packages/collector/src/wal/index.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'silent' });
  return { ...(await import(pathToFileURL(outfile).href)), from: 'src (esbuild)' };
}

function eventLine(i) {
  return JSON.stringify({
    project: 'bench', message_id: `0190f6a4-${String(i).padStart(6, '0')}`, type: 'track', event: 'Product Viewed',
    user_id: `user-${i % 1000}`, anonymous_id: '', distinct_id: `user-${i % 1000}`, session_id: 's-123',
    group_id: '', previous_id: '', timestamp: 1_700_000_000_000 + i, original_timestamp: 1_700_000_000_000 + i, sent_at: 1_700_000_000_500, received_at: 1_700_000_000_600,
    properties: { product_id: `sku-${i}`, price: 19.99 },
    traits: {}, context: { locale: 'en-US' },
    page_url: '', page_path: '/p/1', referrer: '', utm_source: 'google',
    utm_medium: '', utm_campaign: '', locale: 'en-US', library_name: 'sluice-browser', library_version: '0.1.0',
  });
}
const lines = Array.from({ length: 100 }, (_, i) => eventLine(i)).join('\n') + '\n';
const payload = Buffer.from(`${JSON.stringify({ v: 1, e: 100, q: 0, eb: Buffer.byteLength(lines) })}\n${lines}`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function once(wal, concurrency) {
  const dir = await mkdtemp(join(work, `c${concurrency}-`));
  const log = await wal.createWriteAheadLog({ dir, maxBytes: 64 * 1024 ** 3 });
  const latencies = [];
  const stopAt = performance.now() + seconds * 1000;
  const fsyncsBefore = log.stats().fsyncs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < stopAt) {
        const t = performance.now();
        await log.append(payload);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const fsyncs = log.stats().fsyncs - fsyncsBefore;
  await log.close();
  await rm(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return {
    appendsPerSec: latencies.length / elapsed,
    eventsPerSec: (latencies.length * 100) / elapsed,
    mbPerSec: (latencies.length * payload.length) / elapsed / 1024 / 1024,
    fsyncsPerSec: fsyncs / elapsed,
    recordsPerFsync: latencies.length / Math.max(1, fsyncs),
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
  };
}

try {
  const wal = await loadWal();
  console.log(`WAL bench: record ${payload.length} bytes (100 events), ${seconds}s x ${runs} runs per concurrency, log in ${work}, code from ${wal.from}, node ${process.version}`);
  console.log('concurrency  appends/s  events/s  MiB/s  fsyncs/s  records/fsync  p50 ms  p99 ms');
  for (const concurrency of [1, 16, 64]) {
    const results = [];
    for (let r = 0; r < runs; r++) results.push(await once(wal, concurrency));
    const m = (key) => median(results.map((x) => x[key]));
    console.log(
      [String(concurrency).padStart(11), m('appendsPerSec').toFixed(0).padStart(10), m('eventsPerSec').toFixed(0).padStart(9), m('mbPerSec').toFixed(1).padStart(6),
        m('fsyncsPerSec').toFixed(0).padStart(9), m('recordsPerFsync').toFixed(1).padStart(14), m('p50').toFixed(2).padStart(7), m('p99').toFixed(2).padStart(7)].join(' '),
    );
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

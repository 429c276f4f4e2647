#!/usr/bin/env node
// Cost of `track()` in a real browser: @sluice/sdk-browser beside @segment/analytics-next and posthog-js,
// in ONE headless Chromium run, each SDK in its own fresh page, on the same event. Every SDK sends to a
// node:http sink on 127.0.0.1 that answers 200 (requests to any other origin are aborted and counted),
// so no network leaves the machine. Pages are cross-origin isolated, so performance.now() ticks in 5 µs.
//
// Per SDK: a warm-up burst, then ROUNDS bursts of CALLS track() calls, each burst in one task. Two
// figures per call, medians over the rounds:
//   - "in track()": the synchronous loop alone;
//   - "until settled": the loop plus the microtasks it queued (persistence, promise pipelines),
//     measured to the next macrotask. This is the main figure: it is what holds the main thread.
// SDKs are measured in interleaved order (A B C, then C B A, …), so load on the machine hits them alike.
//
//   node bench/sdk-browser-track-chromium.mjs [--quick] [--sluice-before path/to/sdk-browser/dist/index.js]
// --sluice-before bundles an older build of the SDK too (e.g. main's dist copied aside), for a
// before/after in the same browser run.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { QUICK, ROOT, argv, fmt, median, report, table } from './lib/common.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WARMUP = QUICK ? 200 : 500;
const CALLS = QUICK ? 100 : 200;
const ROUNDS = QUICK ? 5 : 10; // CALLS × ROUNDS = 2,000 measured calls per SDK
const PASSES = QUICK ? 1 : 2; // each pass opens a fresh page per SDK, in alternating order
const EVENT = ['Order Placed', { plan: 'pro', total: 42.5, currency: 'EUR', items: 3 }];
const WRITE_KEY = 'bench';

const beforeIndex = argv.indexOf('--sluice-before');
const sluiceBefore = beforeIndex >= 0 ? argv[beforeIndex + 1] : undefined;

/** Each SDK's page script defines `window.ready`: a promise of `(name, properties) => void`. */
const SDKS = [
  {
    name: '@sluice/sdk-browser',
    pkg: '@sluice/sdk-browser',
    entry: `import { createAnalytics } from '@sluice/sdk-browser';
      const a = createAnalytics({ writeKey: '${WRITE_KEY}', endpoint: location.origin, autoPage: false });
      window.ready = Promise.resolve((name, properties) => a.track(name, properties));`,
  },
  ...(sluiceBefore
    ? [
        {
          name: '@sluice/sdk-browser (before)',
          pkg: '@sluice/sdk-browser',
          entry: `import { createAnalytics } from ${JSON.stringify(sluiceBefore)};
            const a = createAnalytics({ writeKey: '${WRITE_KEY}-before', endpoint: location.origin, autoPage: false });
            window.ready = Promise.resolve((name, properties) => a.track(name, properties));`,
        },
      ]
    : []),
  {
    name: '@segment/analytics-next',
    pkg: '@segment/analytics-next',
    // Settings given inline (no CDN fetch); the Segment.io destination and client metrics point at the sink.
    entry: `import { AnalyticsBrowser } from '@segment/analytics-next';
      const host = location.host + '/v1';
      window.ready = AnalyticsBrowser.load(
        { writeKey: '${WRITE_KEY}', cdnURL: location.origin, cdnSettings: { integrations: { 'Segment.io': { apiKey: '${WRITE_KEY}', apiHost: host, protocol: 'http' } }, metrics: { host, sampleRate: 0 } } },
        { integrations: { 'Segment.io': { apiHost: host, protocol: 'http' } } },
      ).then(([analytics]) => (name, properties) => { analytics.track(name, properties); }).catch((e) => { window.failed = String((e && e.stack) || e); });`,
  },
  {
    name: 'posthog-js',
    pkg: 'posthog-js',
    // Default persistence (localStorage+cookie); no autocapture, pageviews, recordings or remote config.
    entry: `import posthog from 'posthog-js';
      posthog.init('phc_${WRITE_KEY}', { api_host: location.origin, autocapture: false, capture_pageview: false, capture_pageleave: false,
        disable_session_recording: true, disable_surveys: true, advanced_disable_decide: true, advanced_disable_flags: true });
      window.ready = Promise.resolve((name, properties) => { posthog.capture(name, properties); });`,
  },
];

const version = async (pkg) => {
  try {
    const { createRequire } = await import('node:module');
    return createRequire(`${ROOT}/package.json`)(`${pkg}/package.json`).version;
  } catch {
    return undefined;
  }
};

async function bundle(sdk) {
  const out = await build({ stdin: { contents: sdk.entry, resolveDir: ROOT, loader: 'js' }, bundle: true, minify: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent', define: { 'process.env.NODE_ENV': '"production"' } });
  return out.outputFiles[0].text;
}

/** Pages and bundles, plus a sink that answers 200 to anything else (the SDKs' collectors). */
function startServer(scripts) {
  const sunk = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const isolated = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin' };
    const page = /^\/page\/(\d+)$/.exec(url.pathname);
    if (page) return void res.writeHead(200, { ...isolated, 'content-type': 'text/html' }).end(`<!doctype html><title>track bench</title><script src="/sdk/${page[1]}.js"></script>`);
    const script = /^\/sdk\/(\d+)\.js$/.exec(url.pathname);
    if (script) return void res.writeHead(200, { ...isolated, 'content-type': 'text/javascript' }).end(scripts[Number(script[1])]);
    req.on('data', (d) => (sunk.bytes += d.length));
    req.on('end', () => {
      sunk.requests++;
      res.writeHead(200, { ...isolated, 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end('{"success":true,"accepted":0,"rejected":[]}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, sunk, origin: `http://127.0.0.1:${server.address().port}` })));
}

/** Runs in the page: the warm-up burst, and the time for its deliveries to go out. */
async function warmUp({ event, warmup }) {
  const [name, properties] = event;
  const track = await window.ready;
  for (let i = 0; i < warmup; i++) track(name, properties);
  await new Promise((resolve) => setTimeout(resolve, 300));
}

/** Runs in the page: ROUNDS bursts; answers µs per call for each round. */
async function measure({ event, calls, rounds }) {
  const [name, properties] = event;
  const track = await window.ready;
  const nextTask = () =>
    new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(0);
    });
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const sync = [];
  const settled = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) track(name, properties);
    const t1 = performance.now();
    await nextTask();
    const t2 = performance.now();
    sync.push(((t1 - t0) * 1000) / calls);
    settled.push(((t2 - t0) * 1000) / calls);
    await pause(100); // deliveries happen between rounds, not inside them
  }
  return { sync, settled, isolated: globalThis.crossOriginIsolated === true };
}

/** Milliseconds of a CPU profile that the thread was busy (every sample but idle ones). */
const busyMs = (profile) => {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  let us = 0;
  profile.samples.forEach((id, i) => {
    if (!idle.has(id)) us += profile.timeDeltas[i] ?? 0;
  });
  return us / 1000;
};

const sdks = [];
for (const sdk of SDKS) {
  const v = await version(sdk.pkg);
  try {
    sdks.push({ ...sdk, version: v, script: await bundle(sdk), sync: [], settled: [], cpu: [] });
  } catch (error) {
    sdks.push({ ...sdk, version: v, skipped: v ? `bundle failed: ${String(error.message).split('\n')[0].slice(0, 160)}` : 'not installed (npm i -D it at the root)' });
  }
}
const live = sdks.filter((s) => !s.skipped);
const { server, sunk, origin } = await startServer(live.map((s) => s.script));
const userDataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const external = [];
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (url.startsWith(origin + '/')) return route.continue();
  external.push(url);
  return route.abort();
});
let isolated = true;
try {
  for (let pass = 0; pass < PASSES; pass++) {
    const order = pass % 2 ? [...live].reverse() : live;
    for (const sdk of order) {
      const page = await context.newPage();
      page.on('pageerror', (e) => (sdk.errors ??= []).push(String(e).slice(0, 200)));
      await page.goto(`${origin}/page/${live.indexOf(sdk)}`);
      await page.waitForFunction(() => 'ready' in window || 'failed' in window, null, { timeout: 30_000 });
      const failed = await page.evaluate(() => window.failed);
      if (failed) throw new Error(`${sdk.name} did not load: ${failed}`);
      // The page's main-thread CPU over the measured rounds, deferred work included (sends, timers,
      // storage): sampled by V8's profiler, every non-idle sample counted.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await page.evaluate(warmUp, { event: EVENT, warmup: WARMUP });
      await cdp.send('Profiler.start');
      const r = await page.evaluate(measure, { event: EVENT, calls: CALLS, rounds: ROUNDS });
      const { profile } = await cdp.send('Profiler.stop');
      sdk.cpu.push((busyMs(profile) * 1000) / (CALLS * ROUNDS));
      await cdp.detach();
      sdk.sync.push(...r.sync);
      sdk.settled.push(...r.settled);
      isolated &&= r.isolated;
      await page.close();
    }
  }
} finally {
  await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
  server.closeAllConnections();
  server.close();
}

const browserVersion = context.browser()?.version() ?? 'chromium';
for (const s of live) Object.assign(s, { syncUs: median(s.sync), settledUs: median(s.settled), cpuUs: median(s.cpu) });
const ours = live.find((s) => s.name === '@sluice/sdk-browser');
const rows = sdks.map((s) =>
  s.skipped
    ? [s.name, s.version ?? '', `n/a: ${s.skipped}`, '', '', '', '']
    : [s.name, s.version ?? '', fmt(s.settledUs, 2), fmt(s.syncUs, 2), fmt(s.cpuUs, 1), fmt(Math.round(1e6 / s.settledUs)), ours ? `${fmt(s.settledUs / ours.settledUs, 2)}×` : ''],
);
const markdown = [
  table(['SDK, headless Chromium', 'version', 'µs per track() until settled (median)', 'µs in track() itself', 'main-thread CPU µs per call, deferred work included', 'calls/s', 'vs Sluice'], rows),
  '',
  `${ROUNDS * PASSES} bursts of ${fmt(CALLS)} calls per SDK (${fmt(ROUNDS * PASSES * CALLS)} calls) after a ${fmt(WARMUP)}-call warm-up, each SDK in its own fresh page, ${PASSES} pass(es) in alternating order, all in one Chromium (${browserVersion}) run; event \`track(${JSON.stringify(EVENT[0])}, ${JSON.stringify(EVENT[1])})\`. "Until settled" adds the microtasks the burst queued (to the next task); it is the main figure. "Main-thread CPU" is every non-idle sample of V8's profiler (100 µs interval) over the measured bursts and the pauses between them, so it also counts what each SDK defers to later tasks (sending, timers, storage); median of the passes. Every SDK sends to a local 200 sink (${fmt(sunk.requests)} requests received; ${external.length} requests to other origins aborted). Pages cross-origin isolated: ${isolated ? 'yes (5 µs timer)' : 'no (100 µs timer)'}.`,
  ...sdks.filter((s) => s.errors?.length).map((s) => `\n${s.name} page errors: ${s.errors.slice(0, 3).join(' / ')}`),
].join('\n');
report('sdk-browser-track-chromium', {
  settings: { warmup: WARMUP, calls: CALLS, rounds: ROUNDS, passes: PASSES, event: EVENT, sluiceBefore },
  markdown,
  data: { browser: browserVersion, isolated, sinkRequests: sunk.requests, external, sdks: sdks.map(({ script, entry, ...s }) => s) },
});

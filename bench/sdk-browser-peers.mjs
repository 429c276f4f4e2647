#!/usr/bin/env node
// Browser SDK bundle size, "init + one track", beside peer SDKs built the same way in the same run:
// esbuild --bundle --minify --format=esm --platform=browser, then gzip -9 and brotli (q11).
// Peers are bench-only root devDependencies; one that is missing or fails to bundle is skipped with a note.
// @sluice/sdk-browser is bundled from its published entry point (the built dist), as a user gets it.
//   node bench/sdk-browser-peers.mjs
import { createRequire } from 'node:module';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ROOT, fmt, report, table } from './lib/common.mjs';

const SDKS = [
  { name: '@sluice/sdk-browser', pkg: '@sluice/sdk-browser', entry: `import { createAnalytics } from '@sluice/sdk-browser'; createAnalytics({ writeKey: 'k', endpoint: '/c' }).track('x');` },
  { name: '@snowplow/browser-tracker', pkg: '@snowplow/browser-tracker', entry: `import { newTracker, trackStructEvent } from '@snowplow/browser-tracker'; newTracker('sp', 'https://collector.example.com'); trackStructEvent({ category: 'c', action: 'x' });` },
  { name: '@jitsu/js', pkg: '@jitsu/js', entry: `import { jitsuAnalytics } from '@jitsu/js'; jitsuAnalytics({ host: 'https://example.com', writeKey: 'k' }).track('x');` },
  { name: '@segment/analytics-next', pkg: '@segment/analytics-next', entry: `import { AnalyticsBrowser } from '@segment/analytics-next'; AnalyticsBrowser.load({ writeKey: 'k' }).track('x');` },
  { name: 'posthog-js', pkg: 'posthog-js', entry: `import posthog from 'posthog-js'; posthog.init('phc_k', { api_host: 'https://example.com' }); posthog.capture('x');` },
];

const require = createRequire(`${ROOT}/package.json`);
const version = (pkg) => {
  try {
    return require(`${pkg}/package.json`).version;
  } catch {
    return undefined;
  }
};

const rows = [];
for (const sdk of SDKS) {
  const v = version(sdk.pkg);
  try {
    const out = await build({ stdin: { contents: sdk.entry, resolveDir: ROOT, loader: 'js' }, bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
    const code = Buffer.from(out.outputFiles[0].contents);
    rows.push({
      name: sdk.name,
      version: v,
      min: code.length,
      gzip: gzipSync(code, { level: 9 }).length,
      brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    });
  } catch (error) {
    rows.push({ name: sdk.name, version: v, skipped: v ? `bundle failed: ${String(error.message).split('\n')[0].slice(0, 120)}` : 'not installed (npm i -D it at the root)' });
  }
}
const ours = rows[0]?.gzip;
const markdown = [
  table(
    ['SDK (init + one track)', 'version', 'min B', 'gzip -9 B', 'brotli B', 'gzip vs Sluice'],
    rows.map((r) => (r.skipped ? [r.name, r.version ?? '', `n/a: ${r.skipped}`, '', '', ''] : [r.name, r.version ?? '', fmt(r.min), fmt(r.gzip), fmt(r.brotli), ours ? `${fmt(r.gzip / ours, 1)}×` : ''])),
  ),
  '',
  'Built with `esbuild --bundle --minify --format=esm --platform=browser` (JS API, no splitting: lazily imported chunks are included), then gzip -9 and brotli q11. Target for Sluice: ≤ 5,000 B gzipped.',
].join('\n');
report('sdk-browser-peers', { settings: {}, markdown, data: { rows } });

#!/usr/bin/env node
// Bundle size of "init + one track" for @sluice/sdk-browser, measured the way the peers are measured
// in bench/sdk-browser-peers.mjs: esbuild --bundle --minify --format=esm --platform=browser, then
// gzip -9 and brotli (q11).
//
//   node bench/sdk-browser-size.mjs
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const sdkBrowser = fileURLToPath(new URL('../packages/sdk-browser/src/index.ts', import.meta.url));

export const SDKS = [
  {
    name: '@sluice/sdk-browser',
    entry: `import { createAnalytics } from ${JSON.stringify(sdkBrowser)}; createAnalytics({ writeKey: 'k', endpoint: '/c' }).track('x');`,
  },
];

const measure = async ({ name, entry }) => {
  const out = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const code = Buffer.from(out.outputFiles[0].contents);
  return {
    name,
    min: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};

const rows = [];
for (const sdk of SDKS) rows.push(await measure(sdk));
const fmt = (n) => n.toLocaleString('en-US');
const table = [
  ['SDK (init + one track)', 'min (B)', 'gzip -9 (B)', 'brotli (B)'],
  ...rows.map((r) => [r.name, fmt(r.min), fmt(r.gzip), fmt(r.brotli)]),
];
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
const line = (r) => '| ' + r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ') + ' |';
console.log(line(table[0]));
console.log('| ' + widths.map((w, i) => (i ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ') + ' |');
for (const r of table.slice(1)) console.log(line(r));
if (process.argv.includes('--json')) console.log(JSON.stringify(rows));

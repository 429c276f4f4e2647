#!/usr/bin/env node
// Summarises a .cpuprofile: top functions by self time, and by package/file.
//   node bench/lib/profile-summary.mjs FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fnKey = (n) => {
  const cf = n.callFrame;
  const where = cf.url ? cf.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'node_modules/').replace(/.*\/packages\//, 'packages/') : '';
  return `${cf.functionName || '(anonymous)'} ${where}${where ? `:${cf.lineNumber + 1}` : ''}`;
};
const fileKey = (n) => {
  const url = n.callFrame.url;
  if (!url) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  return m ? `node_modules/${m[1]}` : url.replace(/^file:\/\//, '').replace(/.*\/packages\//, 'packages/');
};
const agg = (keyOf) => {
  const out = new Map();
  for (const [id, t] of self) {
    const k = keyOf(byId.get(id));
    out.set(k, (out.get(k) ?? 0) + t);
  }
  return [...out].sort((a, b) => b[1] - a[1]);
};
const pct = (t) => `${((100 * t) / total).toFixed(1)}%`;
console.log(`total sampled: ${(total / 1e6).toFixed(2)} s`);
console.log('\nTop functions by self time:');
for (const [k, t] of agg(fnKey).slice(0, top)) console.log(`${pct(t).padStart(6)}  ${(t / 1e3).toFixed(0).padStart(7)} ms  ${k}`);
console.log('\nBy file / package:');
for (const [k, t] of agg(fileKey).slice(0, 15)) console.log(`${pct(t).padStart(6)}  ${(t / 1e3).toFixed(0).padStart(7)} ms  ${k}`);

// Inclusive (total) time per function: self time of every sample whose stack contains it (once per stack).
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map();
for (const [id, t] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = fnKey(byId.get(cur));
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  }
}
console.log('\nTop functions by total (inclusive) time, packages and node internals only:');
for (const [k, t] of [...inclusive].filter(([k]) => /packages\/|node_modules\/|node:/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(t).padStart(6)}  ${(t / 1e3).toFixed(0).padStart(7)} ms  ${k}`);
}

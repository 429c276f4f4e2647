#!/usr/bin/env node
// Runs Sluice's benchmarks, each part in its own child process, and keeps their results as JSON in
// bench/results/<part>.json. `--write` then regenerates BENCHMARKS.md from those results.
//
//   npm run bench                                  build, run every part
//   npm run bench -- collector sdk-node            only these parts (collector pulls in ceiling + baseline
//                                                  so its ratios come from the same run; --no-refs skips them)
//   npm run bench -- --quick                       a few seconds per part (smoke run, e.g. for CI)
//   npm run bench -- --write                       run, then rewrite BENCHMARKS.md
//   node bench/run.mjs --write-only                rewrite BENCHMARKS.md from bench/results without running
//   npm run bench -- --list                        list the parts
//
// BENCHMARKS.md is written by this script, never by hand, except the section between the
// "profile-findings" markers, which is kept as it is.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH, QUICK, ROOT, argv, fmt, machine, pinned } from './lib/common.mjs';
import { spawn } from 'node:child_process';

const RESULTS = join(BENCH, 'results');
const OUT = join(ROOT, 'BENCHMARKS.md');
const quickArgs = QUICK ? ['--quick'] : [];

/** Each part: how to run it, and whether its script is ours (prints BENCH_RESULT) or a colleague's (stdout captured). */
const PARTS = [
  { id: 'ceiling', title: 'Compute ceiling (JSON.parse + validation + NDJSON rows, one core, no I/O)', script: 'ceiling.mjs', args: quickArgs, core: 0 },
  { id: 'baseline', title: 'Naive baseline (Express + zod + one client.insert per request)', script: 'baseline.mjs', args: quickArgs },
  { id: 'collector', title: 'Collector throughput (`sluice serve`, embedded chDB)', script: 'collector.mjs', args: quickArgs },
  { id: 'sustained', title: 'Sustained throughput (`sluice serve --embedded`, default ack wal, 16 connections, log drained)', script: 'sustained.mjs', args: quickArgs },
  { id: 'sdk-node', title: 'Node SDK (`bench/sdk-node.mjs`)', script: 'sdk-node.mjs', args: quickArgs, nodeArgs: ['--expose-gc'], captured: true },
  { id: 'sdk-browser', title: 'Browser SDK size (`bench/sdk-browser-size.mjs`)', script: 'sdk-browser-size.mjs', args: [], captured: true },
  { id: 'sdk-browser-peers', title: 'Browser SDK size beside peers', script: 'sdk-browser-peers.mjs', args: [] },
  { id: 'sdk-browser-track', title: 'Browser SDK `track()` cost in happy-dom', script: 'sdk-browser-track.mjs', args: quickArgs, core: 0 },
  { id: 'sdk-browser-track-chromium', title: 'Browser SDK `track()` cost beside peers, headless Chromium', script: 'sdk-browser-track-chromium.mjs', args: quickArgs },
  { id: 'kafka', title: 'Kafka path: collector → Kafka acknowledged, consumer → ClickHouse (`bench/kafka.mjs`)', script: 'kafka.mjs', args: quickArgs },
  { id: 'wal', title: 'Write-ahead log append throughput (`bench/wal.mjs`)', script: 'wal.mjs', args: QUICK ? ['1', '1'] : [], captured: true },
  { id: 'queries', title: 'Query latency (`bench/queries.mjs`)', script: 'queries.mjs', args: quickArgs },
  { id: 'freshness', title: 'Freshness (ack → queryable)', script: 'freshness.mjs', args: quickArgs },
  { id: 'storage', title: 'Storage on disk', script: 'storage.mjs', args: quickArgs },
];
const ALIASES = { 'sdk-browser-size': ['sdk-browser', 'sdk-browser-peers'], 'sdk-browser': ['sdk-browser', 'sdk-browser-peers', 'sdk-browser-track', 'sdk-browser-track-chromium'], refs: ['ceiling', 'baseline'] };

if (argv.includes('--list') || argv.includes('--help')) {
  console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
  console.log('\nParts:');
  for (const p of PARTS) console.log(`  ${p.id.padEnd(18)} ${p.title}${existsSync(join(BENCH, p.script)) ? '' : ' (script missing)'}`);
  process.exit(0);
}

const named = argv.filter((a) => !a.startsWith('--'));
let selected = named.length ? [...new Set(named.flatMap((n) => ALIASES[n] ?? [n]))] : PARTS.map((p) => p.id);
const unknown = selected.filter((id) => !PARTS.some((p) => p.id === id));
if (unknown.length) {
  console.error(`unknown part(s): ${unknown.join(', ')}; parts are ${PARTS.map((p) => p.id).join(', ')}`);
  process.exit(2);
}
if (selected.includes('collector') && !argv.includes('--no-refs')) selected = [...new Set(['ceiling', 'baseline', ...selected])];
const runId = new Date().toISOString();
const write = argv.includes('--write') || argv.includes('--write-only');

function runPart(part) {
  const script = join(BENCH, part.script);
  const base = [...(part.nodeArgs ?? []), script, ...part.args];
  const { command, args } = part.core === undefined ? { command: process.execPath, args: base } : pinned(part.core, process.execPath, base);
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
      for (const line of String(d).split('\n')) if (line && !line.startsWith('BENCH_RESULT ')) process.stdout.write(`  ${line}\n`);
    });
    child.stderr.on('data', (d) => {
      err += d;
      process.stderr.write(String(d).replace(/^(?=.)/gm, '  · '));
    });
    // Stop the part with the harness, however the harness is stopped, so no part outlives it.
    const stop = () => {
      child.kill('SIGTERM');
      child.once('exit', () => process.exit(1)); // and the harness ends too, with no further parts
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve({ code: code ?? signal, out, err, seconds: (performance.now() - started) / 1000 });
    });
  });
}

if (!argv.includes('--write-only')) {
  mkdirSync(RESULTS, { recursive: true });
  const m = machine();
  console.log(`Sluice benchmarks · ${m.cpu}, ${m.cores} cores, ${m.memGB} GB, Node ${m.node}, ${m.platform} · ${m.date}${QUICK ? ' · QUICK' : ''}`);
  console.log(`parts: ${selected.join(', ')}\n`);
  const t0 = performance.now();
  for (const id of selected) {
    const part = PARTS.find((p) => p.id === id);
    console.log(`## ${part.id}: ${part.title}`);
    if (!existsSync(join(BENCH, part.script))) {
      console.log(`  skipped: bench/${part.script} is missing\n`);
      writeFileSync(join(RESULTS, `${id}.json`), JSON.stringify({ part: id, runId, quick: QUICK, machine: m, skipped: `bench/${part.script} is missing at run time` }, null, 2));
      continue;
    }
    const r = await runPart(part);
    let result;
    const line = r.out.split('\n').findLast((l) => l.startsWith('BENCH_RESULT '));
    if (line) result = JSON.parse(line.slice('BENCH_RESULT '.length));
    else if (r.code === 0) result = { part: id, machine: machine(), captured: r.out.trim() };
    if (r.code !== 0) {
      result = { ...result, part: id, machine: result?.machine ?? machine(), failed: `exit ${r.code}: ${r.err.trim().split('\n').slice(-5).join(' / ').slice(0, 600)}`, captured: result ? result.captured : r.out.trim() };
    }
    Object.assign(result, { runId, quick: QUICK, seconds: r.seconds, command: `node bench/run.mjs ${id}${QUICK ? ' --quick' : ''}` });
    writeFileSync(join(RESULTS, `${id}.json`), JSON.stringify(result, null, 2));
    console.log(`  (${part.id}: ${fmt(r.seconds, 1)} s${r.code === 0 ? '' : `, FAILED ${r.code}`})\n`);
  }
  console.log(`total ${fmt((performance.now() - t0) / 1000, 0)} s`);
}

// ---------------------------------------------------------------- summary and BENCHMARKS.md
const results = Object.fromEntries(
  existsSync(RESULTS)
    ? readdirSync(RESULTS)
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(join(RESULTS, f), 'utf8')))
        .map((r) => [r.part, r])
    : [],
);

function summary() {
  const lines = [];
  const c = results.collector?.data?.variants;
  const ceiling = results.ceiling?.data?.eventsPerSec;
  const baseline = results.baseline?.data?.ackedPerSec;
  if (c) {
    const same = (r) => r && r.runId === results.collector.runId;
    const rows = c
      .filter((v) => !v.skipped)
      .map((v) => [
        v.id,
        fmt(v.ackedPerSec),
        ceiling ? `${fmt((100 * v.ackedPerSec) / ceiling, 0)}%${same(results.ceiling) ? '' : ' (other run)'}` : 'n/a',
        baseline ? `${fmt(v.ackedPerSec / baseline, 1)}×${same(results.baseline) ? '' : ' (other run)'}` : 'n/a',
      ]);
    lines.push(
      '| collector variant | acked events/s | vs compute ceiling | vs naive baseline |',
      '| --- | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      `Compute ceiling: ${fmt(ceiling)} events/s on one core; naive baseline: ${fmt(baseline)} acked events/s.`,
    );
  }
  return lines.join('\n');
}

function targets() {
  const row = (what, target, measured, met) => `| ${what} | ${target} | ${measured} | ${met === undefined ? '–' : met ? 'yes' : 'no'} |`;
  const out = ['| goal | target | measured | met |', '| --- | --- | --- | --- |'];
  const variants = results.collector?.data?.variants ?? [];
  const wal = variants.find((v) => v.id === 'wal-json' && !v.skipped);
  const mem = variants.find((v) => v.id === 'memory-json' && !v.skipped);
  const main = wal ?? mem;
  if (main) out.push(row(`collector acked events/s, one core (${main.id}${wal ? '' : '; --ack wal not available yet'})`, '≥ 100,000', fmt(main.ackedPerSec), main.ackedPerSec >= 100_000));
  const measured = variants.filter((v) => !v.skipped);
  if (measured.length) {
    const lost = measured.reduce((s, v) => s + v.lost, 0);
    const unchecked = measured.reduce((s, v) => s + (v.unchecked ?? 0), 0);
    out.push(row('acknowledged but never landed (all collector runs)', '0', `${fmt(lost)} of ${fmt(measured.reduce((s, v) => s + v.acked, 0))}${unchecked ? ` (${unchecked} run(s) unchecked)` : ''}`, lost === 0 && unchecked === 0));
  }
  const sus = results.sustained?.data;
  if (sus) {
    out.push(row('collector sustained events/s, 2 cores, acknowledged and landed, log drained (`sustained`)', '≥ 60,000', fmt(sus.sustainedPerSec), sus.sustainedPerSec >= 60_000));
    out.push(row("collector's own CPU per event (JS main + Node helpers) vs the compute ceiling", '≤ 1.5×', `${fmt(sus.ownMicrosPerEvent, 1)} µs, ${fmt(sus.ownToCeiling, 2)}×`, sus.ownToCeiling <= 1.5));
    out.push(row(`freshness p99 at 80 % of the sustained rate (oldest unsent age)`, '≤ 2 s', `${fmt(sus.freshness?.p99ms)} ms`, sus.freshness?.p99ms <= 2000));
    out.push(row('acknowledged but never landed (sustained runs)', '0', `${fmt(sus.lost)} of ${fmt(sus.acked)}${sus.unchecked ? ` (${sus.unchecked} run(s) unchecked)` : ''}`, sus.lost === 0 && !sus.unchecked));
  }
  const sluice = results['sdk-browser-peers']?.data?.rows?.find((r) => r.name === '@sluice/sdk-browser' && !r.skipped);
  if (sluice) out.push(row('browser SDK, init + one track, min + gzip -9', '≤ 5,000 B', `${fmt(sluice.gzip)} B`, sluice.gzip <= 5000));
  const inChromium = results['sdk-browser-track-chromium']?.data?.sdks?.filter((s) => !s.skipped && s.settledUs !== undefined && !s.name.includes('(before)'));
  const ourTrack = inChromium?.find((s) => s.name === '@sluice/sdk-browser');
  if (ourTrack && inChromium.length > 1) {
    const peers = inChromium.filter((s) => s !== ourTrack);
    const cheapest = peers.reduce((a, b) => (a.settledUs <= b.settledUs ? a : b));
    out.push(row('browser SDK `track()` in headless Chromium, µs per call until settled', 'least of its peers', `${fmt(ourTrack.settledUs, 1)} µs; cheapest peer ${cheapest.name} ${fmt(cheapest.settledUs, 1)} µs (${fmt(ourTrack.settledUs / cheapest.settledUs, 2)}×)`, ourTrack.settledUs <= cheapest.settledUs));
  }
  const sdkNode = results['sdk-node']?.captured;
  const amortised = sdkNode && /amortised[^:]*:\s*([\d,]+) ns/.exec(sdkNode);
  if (amortised) {
    const ns = Number(amortised[1].replace(/,/g, ''));
    out.push(row('Node SDK `track()`, amortised (default settings, first figure of bench/sdk-node.mjs)', '≤ 2 µs', `${fmt(ns / 1000, 2)} µs`, ns <= 2000));
  }
  const f = results.freshness?.data;
  if (f) out.push(row('freshness p99, ack → queryable', '≤ 2 s', `${fmt(f.p99ms)} ms`, f.p99ms <= 2000));
  const q = results.queries;
  const trend = q?.data?.find((r) => r.name === 'trends by day, 30 days');
  if (trend) out.push(row(`trends from rollups, p50 (${fmt(q.settings.events)} events)`, '≤ 50 ms', `${fmt(trend.p50, 1)} ms`, trend.p50 <= 50));
  const funnel = q?.data?.find((r) => r.name.startsWith('funnel by person'));
  if (funnel) out.push(row(`person-level funnel, p50 (${fmt(q.settings.events)} events, ${fmt(q.settings.users)} people)`, '≤ 1 s', `${fmt(funnel.p50)} ms`, funnel.p50 <= 1000));
  const s = results.storage?.data;
  if (s) out.push(row(`storage, raw JSON / bytes on disk (${fmt(s.rows)} events)`, '≥ 16×', `${fmt(s.ratioOnDisk, 1)}×`, s.ratioOnDisk >= 16));
  return out.join('\n');
}

const summaryText = summary();
if (summaryText) console.log(`\n${summaryText}\n`);
console.log(targets());

if (write) {
  const START = '<!-- profile-findings:start (hand-written; bench/run.mjs keeps this section as it is) -->';
  const END = '<!-- profile-findings:end -->';
  let findings = '_No profile findings written yet._';
  if (existsSync(OUT)) {
    const old = readFileSync(OUT, 'utf8');
    const a = old.indexOf(START);
    const b = old.indexOf(END);
    if (a >= 0 && b > a) findings = old.slice(a + START.length, b).trim();
  }
  const any = Object.values(results)[0];
  const m = any?.machine ?? machine();
  const dates = Object.values(results).map((r) => r.machine?.date).filter(Boolean).sort();
  const quickParts = Object.values(results).filter((r) => r.quick).map((r) => r.part);
  const order = PARTS.map((p) => p.id);
  const sections = Object.values(results)
    .sort((x, y) => order.indexOf(x.part) - order.indexOf(y.part))
    .map((r) => {
      const part = PARTS.find((p) => p.id === r.part);
      const head = `### ${part?.title ?? r.part}\n\n_${r.machine?.date ?? ''} · ${r.machine?.cpu ?? ''}, ${r.machine?.cores ?? '?'} cores, Node ${r.machine?.node ?? '?'} · \`${r.command ?? `node bench/run.mjs ${r.part}`}\`${r.quick ? ' · QUICK run' : ''}_`;
      if (r.skipped) return `${head}\n\nSkipped: ${r.skipped}.`;
      let body = r.markdown ?? (r.captured ? (/^\|.*\|$/m.test(r.captured) && !/^[^|\n].*$/m.test(r.captured.replace(/^\s*$/gm, '')) ? r.captured : `\`\`\`text\n${r.captured}\n\`\`\``) : '');
      if (r.failed) body += `\n\n**Failed**: ${r.failed}`;
      return `${head}\n\n${body}`;
    });
  const doc = [
    '# Benchmarks',
    '',
    '<!-- Written by `node bench/run.mjs --write` from bench/results/*.json. Do not edit by hand, except the "Profile findings" section between its markers. -->',
    '',
    `Generated ${new Date().toISOString().slice(0, 10)} from results measured ${dates[0]?.slice(0, 16).replace('T', ' ') ?? '?'}${dates.length > 1 ? ` – ${dates.at(-1).slice(0, 16).replace('T', ' ')}` : ''} UTC on ${m.cpu}, ${m.cores} cores, ${m.memGB ?? '?'} GB, Node ${m.node}, ${m.platform ?? ''}.`,
    quickParts.length ? `\n**QUICK (smoke) results for: ${quickParts.join(', ')}; not representative.**` : '',
    '',
    'Reproduce: `npm ci && npm run bench -- --write` (about 10–12 minutes on 2 cores; `npm run bench -- --list` for the parts, `npm run bench -- <part>` for one).',
    'Numbers are medians of several runs. They are noisy when anything else runs on the machine; compare ratios from the same run rather than absolute figures across machines.',
    '',
    '## Goals',
    '',
    targets(),
    '',
    summaryText ? `## Collector against its references (same run)\n\n${summaryText}\n` : '',
    '## Profile findings',
    '',
    START,
    findings,
    END,
    '',
    '## Results by part',
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
  writeFileSync(OUT, doc);
  console.log(`\nwrote ${OUT}`);
}

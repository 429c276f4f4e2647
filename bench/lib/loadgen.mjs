#!/usr/bin/env node
// Load generator: N keep-alive connections each posting batches of demo-like events to /v1/batch
// for a fixed time, as fast as the server answers. Runs in its own process; prints one JSON line.
//
//   node bench/lib/loadgen.mjs --url http://127.0.0.1:8080 [--format json|msgpack] [--connections 16]
//        [--duration 10] [--batch 100] [--key bench] [--prefix 8-hex-chars] [--path /v1/batch]
//        [--rate EVENTS_PER_SECOND]   (paced instead of as fast as the server answers)
//
// Every event gets a unique, fixed-length UUID-shaped messageId `<prefix>-0000-7000-8000-<12 hex>`,
// patched into pre-encoded bodies, so generating load costs almost nothing and the acknowledged
// events can be counted in ClickHouse afterwards (count distinct message_id).
import http from 'node:http';
import { parseArgs } from 'node:util';
import { pack } from 'msgpackr';
import { makeBatches } from './events.mjs';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    path: { type: 'string', default: '/v1/batch' },
    format: { type: 'string', default: 'json' },
    connections: { type: 'string', default: '16' },
    duration: { type: 'string', default: '10' },
    batch: { type: 'string', default: '100' },
    key: { type: 'string', default: 'bench' },
    prefix: { type: 'string', default: Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0') },
    templates: { type: 'string', default: '64' },
    rate: { type: 'string', default: '0' },
  },
});

const url = new URL(args.path, args.url);
const connections = Number(args.connections);
const durationMs = Number(args.duration) * 1000;
const batchSize = Number(args.batch);
const prefix = args.prefix.slice(0, 8).padStart(8, '0');
if (!/^[0-9a-f]{8}$/.test(prefix)) throw new Error('--prefix must be 8 hex characters');
const msgpack = args.format === 'msgpack';
const rate = Number(args.rate); // events/s; 0 = as fast as the server answers
const contentType = msgpack ? 'application/msgpack' : 'application/json';

// ---- bodies: encode once with placeholder ids, remember where each id's 12-hex tail sits.
const HEAD = `${prefix}-0000-7000-8000-`;
const placeholder = (j) => `${HEAD}${'f'.repeat(6)}${j.toString(16).padStart(6, '0')}`; // never a real counter value
const templates = makeBatches(Number(args.templates), batchSize).map((body) => {
  body.batch.forEach((event, j) => (event.messageId = placeholder(j)));
  const buffer = msgpack ? Buffer.from(pack(body)) : Buffer.from(JSON.stringify(body));
  const offsets = body.batch.map((_, j) => {
    const at = buffer.indexOf(placeholder(j));
    if (at < 0) throw new Error('placeholder id not found in encoded body');
    return at + HEAD.length;
  });
  return { buffer, offsets };
});
const bodyBytes = templates.reduce((sum, t) => sum + t.buffer.length, 0) / templates.length;

let nextBatch = 0;
function nextBody() {
  const n = nextBatch++;
  const t = templates[n % templates.length];
  const body = Buffer.from(t.buffer);
  for (let j = 0; j < t.offsets.length; j++) body.write((n * batchSize + j).toString(16).padStart(12, '0'), t.offsets[j], 'latin1');
  return body;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const auth = `Basic ${Buffer.from(`${args.key}:`).toString('base64')}`;

function post(body) {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': body.length, authorization: auth } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
        res.on('error', (error) => resolve({ status: 0, text: String(error) }));
      },
    );
    req.on('error', (error) => resolve({ status: 0, text: String(error) }));
    req.end(body);
  });
}

const latencies = [];
const statuses = {};
let acked = 0;
let rejected = 0;
let sentEvents = 0;
let firstError;
const started = performance.now();
const deadline = started + durationMs;

let scheduled = 0;
async function worker() {
  while (performance.now() < deadline) {
    if (rate > 0) {
      // Paced: request n leaves at started + n·batch/rate, whichever connection is free then.
      const at = started + (scheduled++ * batchSize * 1000) / rate;
      const wait = at - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (performance.now() >= deadline) break;
    }
    const body = nextBody();
    const t = performance.now();
    const res = await post(body);
    latencies.push(performance.now() - t);
    sentEvents += batchSize;
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status === 200) {
      try {
        const parsed = JSON.parse(res.text);
        acked += parsed.accepted ?? 0;
        rejected += parsed.rejected?.length ?? 0;
      } catch {
        firstError ??= `unparseable 200 body: ${res.text.slice(0, 200)}`;
      }
    } else {
      firstError ??= `${res.status}: ${res.text.slice(0, 300)}`;
      if (res.status === 0 || res.status >= 500) await new Promise((r) => setTimeout(r, 20));
    }
  }
}

await Promise.all(Array.from({ length: connections }, worker));
const elapsed = (performance.now() - started) / 1000;
agent.destroy();
latencies.sort((a, b) => a - b);
const q = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : NaN);
console.log(
  JSON.stringify({
    format: args.format,
    connections,
    durationS: elapsed,
    requests: latencies.length,
    statuses,
    sentEvents,
    acked,
    rejected,
    ackedPerSec: acked / elapsed,
    p50ms: q(0.5),
    p99ms: q(0.99),
    bodyBytes,
    eventBytes: bodyBytes / batchSize,
    prefix,
    firstError,
  }),
);
